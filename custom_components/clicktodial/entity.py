"""Base entity of the Click to dial integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import ClickToDialConfigEntry, ClickToDialCoordinator


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
