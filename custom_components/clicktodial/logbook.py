"""Logbook lines of the Click to dial integration: calls started here, and pushed calls.

One line per outcome of a call started here, naming the contact as written and the
number as it was sent to the platform; and one per pushed call that comes in, goes out
or is missed, naming the caller or the called. In Home Assistant's language: the
integration's own texts, as Home Assistant translates no described logbook event.
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

from .const import DOMAIN, EVENT_CALL_ENDED, EVENT_PHONE_CALL
from .texts import cached_entity_name, cached_state_name, cached_text
from .voipgrid import CallStatus

# What happened to a call, by the status it was last seen with: its text and icon.
OUTCOMES: dict[str, tuple[str, str]] = {
    CallStatus.DISCONNECTED: ("call_ended", "mdi:phone-hangup"),
    CallStatus.FAILING_A: ("call_failing_a", "mdi:phone-off"),
    CallStatus.FAILING_B: ("call_failing_b", "mdi:phone-off"),
    CallStatus.BLACKLISTED: ("call_blacklisted", "mdi:phone-cancel"),
}
NOT_FOLLOWED = ("call_not_followed", "mdi:phone-alert")
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
    def async_describe_call_ended(event: Event) -> dict[str, str | None]:
        """Name who was called and how the call went."""
        data = event.data
        status = str(data.get("status"))
        key, icon = OUTCOMES.get(status, NOT_FOLLOWED)
        # A logbook card of the event entity shows the message alone; the Activity
        # panel puts the entity's name ("Demo User Call") before it.
        return {
            LOGBOOK_ENTRY_NAME: cached_entity_name(hass, Platform.EVENT, "call"),
            LOGBOOK_ENTRY_MESSAGE: cached_text(
                hass,
                key,
                who=who(data.get("contact"), data.get("b_number")) or "?",
                status=_first_lower(
                    cached_state_name(hass, Platform.SENSOR, "call_status", status)
                ),
            ),
            LOGBOOK_ENTRY_ICON: icon,
            LOGBOOK_ENTRY_ENTITY_ID: data.get(ATTR_ENTITY_ID),
        }

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

    async_describe_event(DOMAIN, EVENT_CALL_ENDED, async_describe_call_ended)
    async_describe_event(DOMAIN, EVENT_PHONE_CALL, async_describe_phone_call)


def _first_lower(text: str) -> str:
    """Return a state's name as it reads inside a sentence: "Setting up" is "setting up"."""
    return text[:1].lower() + text[1:]
