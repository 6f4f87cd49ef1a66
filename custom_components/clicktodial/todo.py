"""To-do list of the Click to dial integration: the account's missed calls."""

from __future__ import annotations

from datetime import datetime
from typing import override

# From the modules that define them: the package does not re-export them explicitly.
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.components.todo.entity import TodoItem, TodoListEntity
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_MISSED_CALL_CHECKED_OFF
from .entity import ClickToDialEntity
from .pushed import PushedCallsCoordinator
from .pushed.state import MissedCall
from .runtime import ClickToDialConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the missed calls list of an account with call notifications."""
    if (pushed := entry.runtime_data.pushed).enabled:
        async_add_entities([MissedCallsList(pushed)])


class MissedCallsList(ClickToDialEntity[PushedCallsCoordinator], TodoListEntity):
    """The account's missed calls: checked off or deleted by the person; added by calls."""

    _attr_translation_key = "missed_calls"
    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        # The frontend sends an item's due back whenever it checks one off.
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
    )

    def __init__(self, coordinator: PushedCallsCoordinator) -> None:
        """Create the list."""
        super().__init__(coordinator, "missed_calls")
        self._written = coordinator.data.missed_version

    @property
    @override
    def todo_items(self) -> list[TodoItem]:
        """Return the missed calls, newest first."""
        return [_todo_item(item) for item in reversed(self.coordinator.data.missed)]

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the new state only when the list changed."""
        if self.coordinator.data.missed_version != self._written:
            self._written = self.coordinator.data.missed_version
            self.async_write_ha_state()

    @override
    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Check a missed call off (or on again), rename or move it; nobody is called.

        The first time a missed call is checked off, an event says who to call back
        (the blueprint "Call back a missed call" does): once per missed call, also when
        it is checked on and off again.
        """
        missed = self.coordinator.missed.get(item.uid or "")
        if missed is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="missed_call_not_found"
            )
        done = None if item.status is None else item.status == TodoItemStatus.COMPLETED
        due = item.due if isinstance(item.due, datetime) else None
        if self.coordinator.async_update_missed_call(
            missed, summary=item.summary, done=done, due=due
        ):
            self.hass.bus.async_fire(
                EVENT_MISSED_CALL_CHECKED_OFF,
                {
                    ATTR_ENTITY_ID: self.entity_id,
                    "config_entry_id": self.coordinator.config_entry.entry_id,
                    "call_id": missed.call_id,
                    "caller_number": missed.caller_number,
                    "caller_name": missed.caller_name,
                },
            )

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete missed calls from the list."""
        self.coordinator.async_delete_missed_calls(uids)


def _todo_item(item: MissedCall) -> TodoItem:
    """Return the to-do item of a missed call: who called, and when."""
    return TodoItem(
        uid=item.uid,
        summary=item.summary,
        status=TodoItemStatus.COMPLETED if item.done else TodoItemStatus.NEEDS_ACTION,
        # A time, not a text: the frontend shows it in the user's time zone and format.
        due=dt_util.as_local(item.due or item.missed_at),
    )
