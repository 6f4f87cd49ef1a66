"""Event entity of the Click to dial integration: every status change of every call."""

from __future__ import annotations

from typing import override

from homeassistant.components.event import EventEntity, EventExtraStoredData
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .calls.coordinator import ClickToDialCoordinator
from .entity import ClickToDialEntity
from .pushed import PushedCallsCoordinator
from .pushed.state import CallEventType
from .runtime import ClickToDialConfigEntry
from .voipgrid import CallStatus

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the call event entity of an account, and its phone calls with notifications."""
    async_add_entities([CallEventEntity(entry.runtime_data.coordinator)])
    if (pushed := entry.runtime_data.pushed).enabled:
        async_add_entities([PhoneCallsEventEntity(pushed)])


# The event of a call that is no longer followed before it ended (the platform forgot it,
# or it went on too long): the step the logbook shows last for it.
NOT_FOLLOWED = "not_followed"


class CallEventEntity(ClickToDialEntity[ClickToDialCoordinator], EventEntity):
    """Fires when a tracked call reaches a new status, or is no longer followed.

    Its states are the dashboard's Recent calls: one line per step of a call.
    """

    _attr_event_types = [status.value for status in CallStatus] + [NOT_FOLLOWED]
    _attr_translation_key = "call"

    def __init__(self, coordinator: ClickToDialCoordinator) -> None:
        """Create the event entity."""
        super().__init__(coordinator, "call")

    @override
    async def async_get_last_event_data(self) -> EventExtraStoredData | None:
        """Restore no event after a reload or restart: unknown until the next one.

        A restored event is written as a new state, which the logbook (the dashboard's
        Recent calls) shows as the call's last status again, with no call behind it.
        The sensor keeps showing the latest call's status.
        """
        return None

    @override
    async def async_added_to_hass(self) -> None:
        """Start without the unavailable state a reload or an early start left.

        The logbook (the dashboard's Recent calls) shows every change of this entity's
        state, but not the first state of an entity: the unavailable state is removed,
        so that coming back writes no "Unknown" line.
        """
        self._remove_unavailable_state()
        await super().async_added_to_hass()

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Remove the state first, so the unavailable state of an unload is no line."""
        await super().async_will_remove_from_hass()
        self.hass.states.async_remove(self.entity_id)

    @callback
    def _remove_unavailable_state(self) -> None:
        """Remove the state Home Assistant wrote while the entity was not there."""
        state = self.hass.states.get(self.entity_id)
        if state is not None and state.state == STATE_UNAVAILABLE:
            self.hass.states.async_remove(self.entity_id)

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire each status change of the update, one state each; else show the state.

        The coordinator passes changes on only once an update is over and succeeded:
        the entity is available again then, and no change is written unavailable.
        """
        data = self.coordinator.data
        steps = [
            (change.call, change.call.status.value, change.previous)
            for change in data.changes
        ] + [
            (call, NOT_FOLLOWED, call.status)
            for call in data.ended
            if not call.status.is_terminal
        ]
        if not steps:
            self.async_write_ha_state()
            return
        for call, event_type, previous in steps:
            self._trigger_event(
                event_type,
                {
                    "call_id": call.call_id,
                    "b_number": call.b_number,
                    "contact": call.contact,
                    "previous_status": previous.value if previous else None,
                },
            )
            self.async_write_ha_state()


class PhoneCallsEventEntity(ClickToDialEntity[PushedCallsCoordinator], EventEntity):
    """Fires for every call of the account the platform pushes: in, out, answered, ended."""

    _attr_event_types = [event_type.value for event_type in CallEventType]
    _attr_translation_key = "phone_calls"

    def __init__(self, coordinator: PushedCallsCoordinator) -> None:
        """Create the event entity."""
        super().__init__(coordinator, "phone_calls")

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire each event of a notification, one state each."""
        for event in self.coordinator.data.events:
            self._trigger_event(event.type.value, event.attributes())
            self.async_write_ha_state()
