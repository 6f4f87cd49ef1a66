"""Base entity of the Click to dial integration."""

from __future__ import annotations

from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import ClickToDialCoordinator
from .notification_state import CallEvent
from .notifications import CallNotifications
from .runtime import ClickToDialConfigEntry


def account_device_info(entry: ClickToDialConfigEntry, base_url: str) -> DeviceInfo:
    """Return the account's service device, which holds the account's entities."""
    assert entry.unique_id is not None
    return DeviceInfo(
        identifiers={(DOMAIN, entry.unique_id)},
        name=entry.title,
        manufacturer=MANUFACTURER,
        model="Click to dial",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=base_url,
    )


class ClickToDialEntity(CoordinatorEntity[ClickToDialCoordinator]):
    """An entity of one account, on the account's service device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: ClickToDialCoordinator, key: str) -> None:
        """Bind the entity to its account."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = account_device_info(entry, coordinator.client.base_url)


class NotificationEntity(Entity):
    """An entity of the account's call notifications, on the account's device.

    Pushed, so available whatever the status polling of started calls does.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ClickToDialConfigEntry, key: str) -> None:
        """Bind the entity to its account's call notifications."""
        self.notifications: CallNotifications = entry.runtime_data.notifications
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = account_device_info(
            entry, entry.runtime_data.client.base_url
        )
        self._written: tuple[Any, ...] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the account's pushed calls."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.notifications.async_add_listener(self._handle_call_events)
        )

    @callback
    def _handle_call_events(self, events: list[CallEvent]) -> None:
        """Write the state when a notification changed what the entity shows."""
        shown = (self.state, self.extra_state_attributes)
        if shown != self._written:
            self._written = shown
            self.async_write_ha_state()
