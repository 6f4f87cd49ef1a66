"""Sensors of the Click to dial integration: the latest call, the phone, today's calls, queues."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .calls.coordinator import ClickToDialCoordinator
from .calls.path import contact_name_of
from .colleagues.devices import async_follow_colleagues
from .colleagues.sensor import ColleaguePhoneSensor
from .entity import ClickToDialEntity, async_remove_entities
from .pushed import PushedCallsCoordinator
from .pushed.state import PhoneState, call_attributes
from .reads.history import HistoryCoordinator, calls_on
from .reads.queues import QueuesCoordinator
from .runtime import ClickToDialConfigEntry
from .voipgrid import CallQueue, CallStatus, HistoryCall

PARALLEL_UPDATES = 0

# The key of a queue's sensor: queue_<queue id>.
_QUEUE_PREFIX: Final = "queue_"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's call status, phone, today's calls and call queue sensors."""
    async_add_entities([CallStatusSensor(entry.runtime_data.coordinator)])
    if (pushed := entry.runtime_data.pushed).enabled:
        async_add_entities([PhoneSensor(pushed)])
        async_follow_colleagues(
            hass,
            entry,
            Platform.SENSOR,
            async_add_entities,
            lambda phone, enabled: [ColleaguePhoneSensor(pushed, phone, enabled)],
        )
    if (history := entry.runtime_data.history) is not None:
        async_add_entities(
            HistorySensor(history, description) for description in HISTORY_SENSORS
        )
    _async_follow_queues(hass, entry, entry.runtime_data.queues, async_add_entities)


@callback
def _async_follow_queues(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    queues: QueuesCoordinator | None,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor per call queue as reads find them; remove those of queues gone.

    Watching the reads makes none happen: with every queue sensor disabled, nothing
    is read after set-up. An account that may not read the queues has none.
    """
    prefix = f"{entry.unique_id}_{_QUEUE_PREFIX}"
    shown: set[str] = set()

    @callback
    def sync() -> None:
        """Add the sensors of new queues; remove those of queues no longer listed."""
        data = None if queues is None else queues.data
        if queues is not None and data is None:
            return  # not read yet
        listed = set(data.queues) if data else set()
        if new := listed - shown:
            assert queues is not None
            shown.update(new)
            async_add_entities(QueueSensor(queues, queue) for queue in sorted(new))
        if data is not None and not data.complete:
            return  # the queues past the pages read are not known
        keep = {f"{prefix}{queue}" for queue in listed}
        async_remove_entities(
            hass,
            entry,
            Platform.SENSOR,
            lambda unique_id: unique_id.startswith(prefix) and unique_id not in keep,
        )
        shown.intersection_update(listed)

    sync()
    if queues is not None:
        entry.async_on_unload(queues.async_watch_reads(sync))


@dataclass(frozen=True, kw_only=True)
class HistorySensorDescription(SensorEntityDescription):
    """A count of today's calls."""

    value_fn: Callable[[list[HistoryCall]], int]


HISTORY_SENSORS = (
    HistorySensorDescription(
        key="calls_today",
        translation_key="calls_today",
        state_class=SensorStateClass.TOTAL,
        value_fn=len,
    ),
    HistorySensorDescription(
        key="missed_calls_today",
        translation_key="missed_calls_today",
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda calls: sum(call.missed for call in calls),
    ),
)


class CallStatusSensor(ClickToDialEntity[ClickToDialCoordinator], SensorEntity):
    """The status of the latest call started on the account."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [status.value for status in CallStatus]
    _attr_translation_key = "call_status"

    def __init__(self, coordinator: ClickToDialCoordinator) -> None:
        """Create the sensor."""
        super().__init__(coordinator, "call_status")

    @property
    @override
    def native_value(self) -> str | None:
        """Return the latest call's status; unknown before the first call."""
        call = self.coordinator.data.latest
        return call.status.value if call else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return which call the status belongs to."""
        if (call := self.coordinator.data.latest) is None:
            return None
        return {
            "call_id": call.call_id,
            "b_number": call.b_number,
            "contact": call.contact,
            "started": call.started.isoformat(),
            "tracking": call.tracking,
            # Who the call is with: the contact called, else the contact of the number
            # (a call dialled by number, or by a blueprint calling back).
            "other_number": call.b_number,
            "other_name": call.contact
            or contact_name_of(self.hass, self.coordinator.config_entry, call.b_number),
        }


class PhoneSensor(ClickToDialEntity[PushedCallsCoordinator], SensorEntity):
    """What the account's phones do: idle, ringing or in a call (pushed by the platform)."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [state.value for state in PhoneState]
    _attr_translation_key = "phone"

    def __init__(self, coordinator: PushedCallsCoordinator) -> None:
        """Create the sensor; idle until a notification says otherwise."""
        super().__init__(coordinator, "phone")
        self._written: tuple[Any, ...] | None = None

    @property
    @override
    def native_value(self) -> str:
        """Return the phone's state."""
        return self.coordinator.data.state.value

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return which call the state is about (all None while idle)."""
        return call_attributes(self.coordinator.data.call)

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the sensor shows changed."""
        shown = (self.native_value, self.extra_state_attributes)
        if shown != self._written:
            self._written = shown
            self.async_write_ha_state()


class HistorySensor(ClickToDialEntity[HistoryCoordinator], SensorEntity):
    """A count of today's calls of the account (in Home Assistant's time zone).

    A total that starts anew with each local day (``last_reset``): the recorder keeps
    every day's calls as long-term statistics.
    """

    entity_description: HistorySensorDescription

    def __init__(
        self, coordinator: HistoryCoordinator, description: HistorySensorDescription
    ) -> None:
        """Create the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description
        self._unsub_new_day: CALLBACK_TYPE | None = None

    @property
    @override
    def available(self) -> bool:
        """Return whether the history was read and reads have not failed long."""
        return super().available and self.coordinator.data is not None

    @property
    @override
    def native_value(self) -> int:
        """Return the count of today's calls."""
        today = calls_on(self.coordinator.data or (), dt_util.now().date())
        return self.entity_description.value_fn(today)

    @property
    @override
    def last_reset(self) -> datetime:
        """Return the start of the local day counted."""
        return dt_util.as_utc(dt_util.start_of_local_day())

    @override
    async def async_added_to_hass(self) -> None:
        """Also start counting anew when a day starts, without a read."""
        await super().async_added_to_hass()
        self._plan_new_day()
        self.async_on_remove(self._cancel_new_day)

    @callback
    def _plan_new_day(self) -> None:
        """Write the state when the next local day starts.

        Planned from the day's start rather than 00:00:00, which some days lack (where
        the clocks skip from 23:59:59 to 01:00).
        """
        tomorrow = dt_util.now().date() + timedelta(days=1)
        self._unsub_new_day = async_track_point_in_utc_time(
            self.hass,
            self._new_day,
            dt_util.as_utc(dt_util.start_of_local_day(tomorrow)),
        )

    @callback
    def _cancel_new_day(self) -> None:
        """Stop waiting for the next day."""
        if self._unsub_new_day is not None:
            self._unsub_new_day()
            self._unsub_new_day = None

    @callback
    def _new_day(self, _now: datetime) -> None:
        """Write the state of the new day; wait for the next one."""
        self.async_write_ha_state()
        self._plan_new_day()


def queue_label(queue: CallQueue) -> str:
    """Return how a queue is named: its description, else its internal number or id."""
    return queue.description or queue.internal_number or queue.id


class QueueSensor(ClickToDialEntity[QueuesCoordinator], SensorEntity):
    """How many callers wait in one of the company's call queues."""

    _attr_translation_key = "queue"
    _attr_state_class = SensorStateClass.MEASUREMENT
    # Read every 30 s while enabled: only those who watch a queue turn its sensor on.
    _attr_entity_registry_enabled_default = False

    def __init__(self, coordinator: QueuesCoordinator, queue_id: str) -> None:
        """Create the sensor of one queue."""
        super().__init__(coordinator, f"{_QUEUE_PREFIX}{queue_id}")
        self.queue_id = queue_id
        queue = self._queue()
        self._attr_translation_placeholders = {
            "queue": queue_label(queue) if queue else queue_id
        }

    def _queue(self) -> CallQueue | None:
        """Return the queue as last read; None when it is not listed."""
        data = self.coordinator.data
        return data.queues.get(self.queue_id) if data else None

    @property
    @override
    def available(self) -> bool:
        """Return whether the queue was read and reads have not failed long."""
        return super().available and self._queue() is not None

    @property
    @override
    def native_value(self) -> int | None:
        """Return how many callers wait in the queue."""
        queue = self._queue()
        return queue.waiting if queue else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the queue's internal number (to call it, or to route calls to it)."""
        queue = self._queue()
        return {"internal_number": queue.internal_number if queue else None}

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Follow a renamed queue in the name, then write the state."""
        queue = self._queue()
        if (
            queue
            and (label := queue_label(queue))
            != (self._attr_translation_placeholders["queue"])
        ):
            self._attr_translation_placeholders = {"queue": label}
            # Home Assistant keeps the name once worked out: have it worked out anew.
            self.__dict__.pop("name", None)
        super()._handle_coordinator_update()
