"""To-do list of the Click to dial integration: the account's missed calls."""

from __future__ import annotations

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
from .entity import NotificationEntity
from .notification_state import CallEvent, CallEventType, MissedCall
from .runtime import ClickToDialConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the missed calls list of an account with call notifications."""
    if entry.runtime_data.notifications.enabled:
        async_add_entities([MissedCallsList(entry)])


class MissedCallsList(NotificationEntity, TodoListEntity):
    """The account's missed calls: checked off or deleted by the person; added by calls."""

    _attr_translation_key = "missed_calls"
    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    def __init__(self, entry: ClickToDialConfigEntry) -> None:
        """Create the list."""
        super().__init__(entry, "missed_calls")

    @property
    @override
    def todo_items(self) -> list[TodoItem]:
        """Return the missed calls, newest first."""
        return [_todo_item(item) for item in reversed(self.notifications.missed.items)]

    @override
    @callback
    def _handle_call_events(self, events: list[CallEvent]) -> None:
        """Write the new state only when a call was missed (the list grew)."""
        if any(event.type is CallEventType.MISSED for event in events):
            self.async_write_ha_state()

    @override
    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Check a missed call off (or on again), or rename it; nobody is called."""
        missed = self.notifications.missed.get(item.uid or "")
        if missed is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="missed_call_not_found"
            )
        if item.summary:
            missed.summary = item.summary
        checked_off = False
        if item.status is not None:
            done = item.status == TodoItemStatus.COMPLETED
            checked_off = done and not missed.done
            missed.done = done
        self.notifications.async_save()
        self.async_write_ha_state()
        if checked_off:
            # Who to call back (the blueprint "Call back a missed call" does).
            self.hass.bus.async_fire(
                EVENT_MISSED_CALL_CHECKED_OFF,
                {
                    ATTR_ENTITY_ID: self.entity_id,
                    "config_entry_id": self.notifications.entry.entry_id,
                    "call_id": missed.call_id,
                    "caller_number": missed.caller_number,
                    "caller_name": missed.caller_name,
                },
            )

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete missed calls from the list."""
        self.notifications.missed.remove(uids)
        self.notifications.async_save()
        self.async_write_ha_state()


def _todo_item(item: MissedCall) -> TodoItem:
    """Return the to-do item of a missed call: who called, and when."""
    return TodoItem(
        uid=item.uid,
        summary=item.summary,
        status=TodoItemStatus.COMPLETED if item.done else TodoItemStatus.NEEDS_ACTION,
        description=dt_util.as_local(item.missed_at).strftime("%Y-%m-%d %H:%M"),
    )
