"""Which calls a trigger of the integration fires for, and what it tells its actions.

The options are the same for every trigger: the account, the contact (its name, as in the
account's contacts), the other party's number and, for pushed calls, only the user's own
phones' calls. What an automation gets is in ``trigger``: ``caller``, ``contact``,
``direction``, ``reason`` and the call's numbers.
"""

from __future__ import annotations

from typing import Any, Final

import probatio

from custom_components.clicktodial.calls.path import contact_name_of
from custom_components.clicktodial.calls.tracker import StatusChange
from custom_components.clicktodial.pushed.state import CallEvent, CallEventType
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    CallStatus,
    Direction,
    calling_code,
    same_number,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

OPTION_ACCOUNT: Final = "account"
OPTION_CONTACT: Final = "contact"
OPTION_NUMBER: Final = "number"
OPTION_ONLY_MINE: Final = "only_mine"
OPTION_STATUS: Final = "status"

_COMMON: Final[dict[probatio.Marker, Any]] = {
    probatio.Optional(OPTION_ACCOUNT): cv.string,
    probatio.Optional(OPTION_CONTACT): cv.string,
    probatio.Optional(OPTION_NUMBER): cv.string,
}
PUSHED_OPTIONS: Final[dict[probatio.Marker, Any]] = {
    **_COMMON,
    probatio.Optional(OPTION_ONLY_MINE, default=False): cv.boolean,
}
STATUS_OPTIONS: Final[dict[probatio.Marker, Any]] = {
    **_COMMON,
    probatio.Optional(OPTION_STATUS, default=list): probatio.All(
        cv.ensure_list, [probatio.Coerce(CallStatus)]
    ),
}
ENDS: Final = frozenset({CallEventType.ENDED, CallEventType.MISSED})


class CallFilter:
    """A trigger's options: which account, contact and number it is about."""

    def __init__(self, hass: HomeAssistant, options: dict[str, Any]) -> None:
        """Take the trigger's validated options."""
        self._hass = hass
        self._account: str | None = options.get(OPTION_ACCOUNT)
        self._contact: str | None = options.get(OPTION_CONTACT)
        self._number: str | None = options.get(OPTION_NUMBER)
        self._only_mine: bool = options.get(OPTION_ONLY_MINE, False)
        self._statuses = frozenset[CallStatus](options.get(OPTION_STATUS, ()))

    def _matches(
        self, entry: ClickToDialConfigEntry, number: str | None, contact: str | None
    ) -> bool:
        """Return whether the account, the other party's number and contact match."""
        if self._account is not None and entry.entry_id != self._account:
            return False
        if self._number is not None and not same_number(
            number, self._number, calling_code(self._hass.config.country)
        ):
            return False
        return self._contact is None or (
            contact is not None and contact.casefold() == self._contact.casefold()
        )

    def pushed(
        self, entry: ClickToDialConfigEntry, event: CallEvent
    ) -> dict[str, Any] | None:
        """Return the trigger's variables for a pushed call event; None: no match."""
        call = event.call
        other = (
            call.destination_number
            if call.direction is Direction.OUTBOUND
            else call.caller_number
        )
        contact = contact_name_of(self._hass, entry, other)
        if (self._only_mine and not call.own) or not self._matches(
            entry, other, contact
        ):
            return None
        return {
            "account": entry.entry_id,
            "event_type": event.type.value,
            "call_id": call.call_id,
            "direction": call.direction.value if call.direction else None,
            "caller": call.caller_name or call.caller_number,
            "caller_number": call.caller_number,
            "caller_name": call.caller_name or None,
            "destination_number": call.destination_number,
            "number": other,
            "contact": contact,
            "reason": call.reason if event.type in ENDS else None,
            "mine": call.own,
        }

    def status(
        self, entry: ClickToDialConfigEntry, change: StatusChange
    ) -> dict[str, Any] | None:
        """Return the trigger's variables for a status change; None: no match."""
        call = change.call
        if (self._statuses and call.status not in self._statuses) or not (
            self._matches(entry, call.b_number, call.contact)
        ):
            return None
        return {
            "account": entry.entry_id,
            "call_id": call.call_id,
            "direction": Direction.OUTBOUND.value,
            "number": call.b_number,
            "contact": call.contact,
            "status": call.status.value,
            "previous_status": change.previous.value if change.previous else None,
            "ended": call.status.is_terminal,
        }
