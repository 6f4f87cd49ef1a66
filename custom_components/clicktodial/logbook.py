"""Logbook lines of the Click to dial integration's pushed calls.

One line per pushed call that comes in, goes out or is missed, naming the caller or the
called. In Home Assistant's language: the integration's own texts, as Home Assistant
translates no described logbook event. The steps of a call started here are the Call
event entity's own states, one line each, so its end is not described a second time.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_PHONE_CALL
from .texts import cached_entity_name, cached_text

# A pushed call, by its event: its text and icon.
PHONE_CALLS: dict[str, tuple[str, str]] = {
    "incoming": ("phone_incoming", "mdi:phone-incoming"),
    "outgoing": ("phone_outgoing", "mdi:phone-outgoing"),
    "missed": ("phone_missed", "mdi:phone-missed"),
}


def who(name: object, number: object) -> str | None:
    """Return a party as shown: ``Name (number)``, either alone, or None."""
    if name and number:
        return f"{name} ({number})"
    return str(name or number or "") or None


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[Event], dict[str, str | None]]], None
    ],
) -> None:
    """Describe the end of a call."""

    @callback
    def async_describe_phone_call(event: Event) -> dict[str, str | None]:
        """Name who called, or who was called, by a pushed call."""
        data = event.data
        key, icon = PHONE_CALLS[str(data.get("event_type"))]
        if data.get("direction") == "outbound":
            party = who(data.get("destination_name"), data.get("destination_number"))
        else:
            party = who(data.get("caller_name"), data.get("caller_number"))
        return {
            LOGBOOK_ENTRY_NAME: cached_entity_name(hass, Platform.EVENT, "call"),
            LOGBOOK_ENTRY_MESSAGE: cached_text(
                hass, key, who=party or cached_text(hass, "unknown_number")
            ),
            LOGBOOK_ENTRY_ICON: icon,
            LOGBOOK_ENTRY_ENTITY_ID: data.get(ATTR_ENTITY_ID),
        }

    async_describe_event(DOMAIN, EVENT_PHONE_CALL, async_describe_phone_call)
