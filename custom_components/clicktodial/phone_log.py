"""A bus event for each pushed call that comes in, goes out or is missed.

The logbook describes it on the account's Call event entity, so that the dashboard's
Recent calls show who called and who was called beside the calls started here, and an
automation can use it (the blueprint "Notify me of missed calls" does). It follows the
push coordinator as a listener and changes nothing of it.
"""

from __future__ import annotations

from typing import Final

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .calls.path import contact_name_of
from .const import DOMAIN, EVENT_PHONE_CALL
from .pushed.state import CallEventType
from .runtime import ClickToDialConfigEntry
from .voipgrid import Direction

# The pushed events that are a line of the call log.
LOGGED: Final = frozenset(
    {CallEventType.INCOMING, CallEventType.OUTGOING, CallEventType.MISSED}
)


@callback
def async_setup_phone_log(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> None:
    """Fire the call log's events while the account follows all its calls."""
    phone = entry.runtime_data.pushed
    if not phone.enabled:
        return

    @callback
    def log() -> None:
        """Fire an event for each call that came in, went out or was missed."""
        events = phone.data.events
        entity_id = er.async_get(hass).async_get_entity_id(
            Platform.EVENT, DOMAIN, f"{entry.unique_id}_call"
        )
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

    entry.async_on_unload(phone.async_add_listener(log))
