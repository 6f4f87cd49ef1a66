"""Select entity of the Click to dial integration: which phone rings."""

from __future__ import annotations

from typing import override

from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import ClickToDialEntity
from .reads.destinations import DestinationsCoordinator
from .runtime import ClickToDialConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the "Phone that rings" select of an account that can choose it."""
    if (coordinator := entry.runtime_data.destinations) is not None:
        async_add_entities([PhoneThatRingsSelect(coordinator)])


class PhoneThatRingsSelect(ClickToDialEntity[DestinationsCoordinator], SelectEntity):
    """Which of the user's phones rings: a phone account, a fixed destination, or none."""

    _attr_translation_key = "phone_that_rings"

    def __init__(self, coordinator: DestinationsCoordinator) -> None:
        """Create the select of an account."""
        super().__init__(coordinator, "phone_that_rings")

    @property
    @override
    def available(self) -> bool:
        """Return whether the destinations were read and reads have not failed long."""
        return super().available and self.coordinator.data is not None

    @property
    @override
    def options(self) -> list[str]:
        """Return the user's phones, then not available."""
        return list(self.coordinator.options)

    @property
    @override
    def current_option(self) -> str | None:
        """Return the phone that rings now; unknown when the platform names another."""
        return self.coordinator.current_option

    @override
    async def async_select_option(self, option: str) -> None:
        """Make the chosen phone ring; the state stays as it was when that fails."""
        await self.coordinator.async_choose(option)
