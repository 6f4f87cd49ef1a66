"""Text entity of the Click to dial integration: the dial pad's number."""

from __future__ import annotations

from typing import override

from homeassistant.components.text import TextEntity, TextMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .calls import validate_number
from .const import CONF_B_NUMBER
from .coordinator import ClickToDialConfigEntry, ClickToDialCoordinator
from .entity import ClickToDialEntity
from .voipgrid import InvalidNumberError, clean_number

PARALLEL_UPDATES = 0

# What a person may type on the dial pad; the number itself is checked on input.
DIAL_PATTERN = r"^[0-9+()\-. ]*$"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the dial pad's number entity of an account."""
    async_add_entities([DialNumberText(entry)])


class DialNumberText(ClickToDialEntity, TextEntity, RestoreEntity):
    """The number the "Dial" button calls."""

    _attr_translation_key = "dial_number"
    _attr_mode = TextMode.TEXT
    _attr_native_max = 32
    _attr_pattern = DIAL_PATTERN

    def __init__(self, entry: ClickToDialConfigEntry) -> None:
        """Create the entity."""
        coordinator: ClickToDialCoordinator = entry.runtime_data.coordinator
        super().__init__(coordinator, "dial_number")
        self._entry = entry

    @override
    async def async_added_to_hass(self) -> None:
        """Bring back the number typed before a restart."""
        await super().async_added_to_hass()
        if (state := await self.async_get_last_state()) is not None:
            try:
                self._entry.runtime_data.dial_number = clean_number(state.state)
            except InvalidNumberError:
                return

    @property
    @override
    def native_value(self) -> str:
        """Return the number to dial."""
        return self._entry.runtime_data.dial_number

    @override
    async def async_set_value(self, value: str) -> None:
        """Take a new number, cleaned, refusing one that cannot be dialled (empty clears)."""
        value = value.strip()
        self._entry.runtime_data.dial_number = (
            validate_number(CONF_B_NUMBER, value) if value else ""
        )
        self.async_write_ha_state()
