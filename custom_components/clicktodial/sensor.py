"""Sensor of the Click to dial integration: the status of the latest call."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ClickToDialConfigEntry, ClickToDialCoordinator
from .entity import ClickToDialEntity
from .voipgrid import CallStatus

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the call status sensor of an account."""
    async_add_entities([CallStatusSensor(entry.runtime_data.coordinator)])


class CallStatusSensor(ClickToDialEntity, SensorEntity):
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
        call = self.coordinator.data
        return call.status.value if call else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return which call the status belongs to."""
        if (call := self.coordinator.data) is None:
            return None
        return {
            "call_id": call.call_id,
            "b_number": call.b_number,
            "contact": call.contact,
            "started": call.started.isoformat(),
            "tracking": call.tracking,
        }
