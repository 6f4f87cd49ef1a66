"""Base entity of the Click to dial integration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)

from .const import DOMAIN, MANUFACTURER
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


@callback
def async_remove_entities(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    platform: Platform,
    gone: Callable[[str], bool],
) -> None:
    """Remove the account's entities of a platform whose unique ID ``gone`` names."""
    registry = er.async_get(hass)
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        if item.domain == platform and gone(item.unique_id):
            registry.async_remove(item.entity_id)


class ClickToDialEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one account, on the account's service device, following a coordinator."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CoordinatorT, key: str) -> None:
        """Bind the entity to its account; ``key`` ends its unique id."""
        super().__init__(coordinator)
        entry: ClickToDialConfigEntry | None = coordinator.config_entry
        assert entry is not None
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = account_device_info(
            entry, entry.runtime_data.client.base_url
        )
