"""Text entity of the Click to dial integration: the dial pad's number."""

from __future__ import annotations

import re
from typing import Any, override

from homeassistant.components.text import (
    TextEntity,
    TextEntityCapabilityAttribute,
    TextMode,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .calls.coordinator import ClickToDialCoordinator
from .calls.path import validate_number
from .const import CONF_B_NUMBER, DOMAIN
from .entity import ClickToDialEntity
from .runtime import ClickToDialConfigEntry
from .voipgrid import InvalidNumberError, clean_number

PARALLEL_UPDATES = 0

# What a person may type on the dial pad: digits, +, spaces, parentheses, dots, dashes;
# the number itself is checked on input. Browsers compile an input's pattern with the
# "v" flag, where ( ) . - must be escaped inside a class, else the whole pattern is
# ignored; Python's re reads it the same way.
DIAL_PATTERN = r"^[0-9+ \(\)\.\-]*$"
_DIAL_CHARACTERS = re.compile(DIAL_PATTERN)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the dial pad's number entity of an account."""
    async_add_entities([DialNumberText(entry)])


class DialNumberText(
    ClickToDialEntity[ClickToDialCoordinator], TextEntity, RestoreEntity
):
    """The number the "Dial" button calls."""

    _attr_translation_key = "dial_number"
    _attr_mode = TextMode.TEXT
    _attr_native_max = 32
    # The pattern goes to the frontend (capability_attributes), which checks it while
    # one types, but is checked here rather than by Home Assistant's text.set_value:
    # before 2026.11 that refuses a mismatch with an untranslated error that shows the
    # regular expression.
    _attr_pattern = None

    def __init__(self, entry: ClickToDialConfigEntry) -> None:
        """Create the entity."""
        coordinator: ClickToDialCoordinator = entry.runtime_data.coordinator
        super().__init__(coordinator, "dial_number")
        # The number typed, cleaned; the "Dial" button calls what the state shows.
        self._number = ""

    @override
    async def async_added_to_hass(self) -> None:
        """Bring back the number typed before a restart."""
        await super().async_added_to_hass()
        state = await self.async_get_last_state()
        if state is None or not _DIAL_CHARACTERS.match(state.state):
            return
        try:
            self._number = clean_number(state.state)
        except InvalidNumberError:
            return

    @property
    @override
    def capability_attributes(self) -> dict[str, Any]:
        """Return the capability attributes, with the pattern the frontend checks."""
        return {
            **super().capability_attributes,
            TextEntityCapabilityAttribute.PATTERN: DIAL_PATTERN,
        }

    @property
    @override
    def native_value(self) -> str:
        """Return the number to dial."""
        return self._number

    @override
    async def async_set_value(self, value: str) -> None:
        """Take a new number, cleaned, refusing one that cannot be dialled (empty clears)."""
        if not _DIAL_CHARACTERS.match(value):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_b_number",
                translation_placeholders={"number": value},
            )
        value = value.strip()
        self._number = validate_number(CONF_B_NUMBER, value) if value else ""
        self.async_write_ha_state()
