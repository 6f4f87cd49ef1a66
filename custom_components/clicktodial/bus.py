"""The integration's events on Home Assistant's bus: the end of a call, a pushed call.

Both are about the account's Call event entity, so that its logbook card shows them (the
logbook describes them, see ``logbook.py``), and an automation can use them (the
integration's own triggers are simpler, see ``trigger.py``). ``clicktodial_call_ended``: a call started here is no
longer followed; ``clicktodial_phone_call``: a pushed call came in, went out or was missed,
beside the calls started here in the dashboard's Recent calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .calls.path import contact_name_of
from .calls.tracker import TrackedCall
from .const import DOMAIN, EVENT_CALL_ENDED, EVENT_PHONE_CALL
from .pushed.state import CallEvent, CallEventType
from .runtime import ClickToDialConfigEntry
from .voipgrid import Direction

# The pushed events that are a line of the call log.
LOGGED: Final = frozenset(
    {CallEventType.INCOMING, CallEventType.OUTGOING, CallEventType.MISSED}
)


def _call_entity_id(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> str | None:
    """Return the entity id of the account's Call event entity, if it is registered."""
    return er.async_get(hass).async_get_entity_id(
        Platform.EVENT, DOMAIN, f"{entry.unique_id}_call"
    )


@callback
def async_fire_calls_ended(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, ended: Iterable[TrackedCall]
) -> None:
    """Fire the event of each call started here that is no longer followed."""
    entity_id = _call_entity_id(hass, entry)
    for call in ended:
        hass.bus.async_fire(
            EVENT_CALL_ENDED,
            {
                ATTR_ENTITY_ID: entity_id,
                "config_entry_id": entry.entry_id,
                "call_id": call.call_id,
                "b_number": call.b_number,
                "contact": call.contact,
                "status": call.status.value,
            },
        )


@callback
def async_fire_phone_calls(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, events: Iterable[CallEvent]
) -> None:
    """Fire an event for each pushed call that came in, went out or was missed."""
    entity_id = _call_entity_id(hass, entry)
    for event in events:
        if event.type not in LOGGED:
            continue
        call = event.call
        hass.bus.async_fire(
            EVENT_PHONE_CALL,
            {
                ATTR_ENTITY_ID: entity_id,
                "config_entry_id": entry.entry_id,
                "event_type": event.type.value,
                **event.attributes(),
                # Who was called: the contact of the number, for a call out.
                "destination_name": contact_name_of(
                    hass, entry, call.destination_number
                )
                if call.direction is Direction.OUTBOUND
                else None,
            },
        )
