"""What each phone of the company does, by internal number, from every pushed call.

Built from the raw notifications (all of the company's calls the platform pushes,
whatever the option "whole company" says): a phone rings while a call names it as a
target, is in a call once such a call is answered (the targets then named, if any, are
the phones that took it) or while it makes a call, and is idle again when the call ends.
Only the phones whose state changed are told, so that many phones cost no more per
notification than a few.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from custom_components.clicktodial.pushed.state import (
    FORGET_AFTER,
    MAX_CALLS,
    RING_FORGET_AFTER,
    PhoneState,
)
from custom_components.clicktodial.voipgrid import (
    Direction,
    Notification,
    NotificationStatus,
)

_ANSWERED: Final = frozenset({NotificationStatus.ANSWERED, NotificationStatus.TRANSFER})


@dataclass(kw_only=True, slots=True)
class _Call:
    """A call as far as the phones it involves go."""

    # The internal numbers of the phones it rings or that took it.
    ringing: frozenset[str]
    # The internal numbers of the phones in the call (the caller's, the answerer's).
    talking: frozenset[str]
    last_seen: float


def _numbers(notification: Notification) -> frozenset[str]:
    """Return the internal numbers of the phones a notification names as targets."""
    return frozenset(
        number
        for target in notification.targets or ()
        for number in (target.number, *target.user_numbers)
        if number
    )


class ColleaguePhones:
    """The state of each phone of the company, by internal number."""

    def __init__(self) -> None:
        """Start with every phone idle."""
        self._calls: dict[str, _Call] = {}
        self._listeners: dict[str, list[Callable[[], None]]] = {}

    def state(self, number: str) -> PhoneState:
        """Return what the phone with this internal number does."""
        calls = [
            call
            for call in self._calls.values()
            if number in call.talking or number in call.ringing
        ]
        if any(number in call.talking for call in calls):
            return PhoneState.IN_CALL
        return PhoneState.RINGING if calls else PhoneState.IDLE

    def listen(self, number: str, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when the phone's state may have changed; return the undo."""
        self._listeners.setdefault(number, []).append(listener)

        def remove() -> None:
            self._listeners[number].remove(listener)

        return remove

    def apply(self, notification: Notification, now: float) -> None:
        """Take in one notification; tell the phones it changed."""
        touched = self._forget(now)
        call = self._calls.get(notification.call_id)
        named = _numbers(notification)
        if call is not None:
            touched |= call.ringing | call.talking
        if notification.status is NotificationStatus.ENDED:
            self._calls.pop(notification.call_id, None)
        else:
            call = call or _Call(
                ringing=frozenset(), talking=frozenset(), last_seen=now
            )
            call.last_seen = now
            if notification.direction is Direction.OUTBOUND:
                call.talking |= frozenset(notification.caller.user_numbers)
            if notification.status in _ANSWERED:
                call.talking |= named or call.ringing
                call.ringing = frozenset()
            else:
                call.ringing |= named - call.talking
            self._calls[notification.call_id] = call
            touched |= call.ringing | call.talking
            if len(self._calls) > MAX_CALLS:
                oldest = min(self._calls, key=lambda key: self._calls[key].last_seen)
                touched |= self._drop(oldest)
        for number in touched:
            for listener in self._listeners.get(number, ()):
                listener()

    def _forget(self, now: float) -> set[str]:
        """Forget the calls silent too long; return the phones they involved."""
        silent = [
            call_id
            for call_id, call in self._calls.items()
            if now - call.last_seen
            > (FORGET_AFTER if call.talking else RING_FORGET_AFTER)
        ]
        touched: set[str] = set()
        for call_id in silent:
            touched |= self._drop(call_id)
        return touched

    def _drop(self, call_id: str) -> frozenset[str]:
        """Forget a call; return the phones it involved."""
        call = self._calls.pop(call_id)
        return call.ringing | call.talking
