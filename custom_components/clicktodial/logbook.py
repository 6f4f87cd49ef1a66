"""Logbook lines of the Click to dial integration: one readable line per call outcome."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CALL_ENDED
from .voipgrid import CallStatus

# What happened to a call, by the status it was last seen with.
OUTCOMES: dict[str, tuple[str, str]] = {
    CallStatus.DISCONNECTED: ("ended", "mdi:phone-hangup"),
    CallStatus.FAILING_A: ("failed: your own phone was not answered", "mdi:phone-off"),
    CallStatus.FAILING_B: ("failed: the other side was not reached", "mdi:phone-off"),
    CallStatus.BLACKLISTED: (
        "was refused: the number is blocked",
        "mdi:phone-cancel",
    ),
}
NOT_FOLLOWED = ("is no longer followed (last seen: {status})", "mdi:phone-alert")


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[Event], dict[str, str | None]]], None
    ],
) -> None:
    """Describe the end of a call."""

    @callback
    def async_describe_call_ended(event: Event) -> dict[str, str | None]:
        """Name who was called and how the call went."""
        data = event.data
        number = data.get("b_number") or "?"
        contact = data.get("contact")
        status = str(data.get("status"))
        message, icon = OUTCOMES.get(status, NOT_FOLLOWED)
        who = f"{contact} ({number})" if contact else number
        # A logbook card of the event entity shows the message alone; the Activity
        # panel puts the name (or the entity's name, "... Call") before it.
        return {
            LOGBOOK_ENTRY_NAME: "Call",
            LOGBOOK_ENTRY_MESSAGE: f"to {who} "
            + message.format(status=status.replace("_", " ")),
            LOGBOOK_ENTRY_ICON: icon,
            LOGBOOK_ENTRY_ENTITY_ID: data.get(ATTR_ENTITY_ID),
        }

    async_describe_event(DOMAIN, EVENT_CALL_ENDED, async_describe_call_ended)
