"""Which pushed calls are the user's own: those that ring, or come from, one of their phones.

The platform pushes every call of the customer's environment; a person usually wants only
theirs. Their phones are known from the destinations read (which phone rings): phone
accounts by internal number, fixed destinations (a mobile, say) by number. A notification
names the phones a call rings in ``destination.targets`` and, for an outgoing call, the
caller's internal numbers.
"""

from __future__ import annotations

from custom_components.clicktodial.voipgrid import (
    Destinations,
    Notification,
    Target,
    same_number,
)


class MyPhones:
    """The user's phones, as notifications name them."""

    def __init__(self, destinations: Destinations, calling_code: str | None) -> None:
        """Take the user's phone accounts and fixed destinations."""
        self._internal = {
            phone.number for phone in destinations.phone_accounts if phone.number
        }
        self._fixed = [
            phone.number for phone in destinations.fixed_destinations if phone.number
        ]
        self._calling_code = calling_code

    def claims(self, notification: Notification) -> bool | None:
        """Return whether the notification's call rings or comes from the user's phones.

        None when it cannot tell: it names no phones at all (no ``targets`` list). An
        empty list (a call just created, say) is not the user's until a later
        notification names one of their phones.
        """
        caller_numbers = set(notification.caller.user_numbers)
        if self._internal & caller_numbers:
            return True
        if notification.targets is None and not caller_numbers:
            return None
        return any(self._rings(target) for target in notification.targets or ())

    def _rings(self, target: Target) -> bool:
        """Return whether a target is one of the user's phones."""
        if self._internal & {*target.user_numbers, target.number}:
            return True
        return target.number is not None and any(
            same_number(target.number, number, self._calling_code)
            for number in self._fixed
        )
