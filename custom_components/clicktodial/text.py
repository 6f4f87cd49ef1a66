"""Text entity of the Click to dial integration: the dial pad's number or contact."""

from __future__ import annotations

from contextlib import suppress
from typing import override

from homeassistant.components.text import TextEntity, TextMode
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .calls.coordinator import ClickToDialCoordinator
from .calls.path import contact_named, validate_number, written_as_number
from .const import CONF_B_NUMBER, DOMAIN
from .entity import ClickToDialEntity
from .runtime import ClickToDialConfigEntry

PARALLEL_UPDATES = 0

# The longest a contact's name may be typed.
DIAL_MAX = 100


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
    """The number, or the contact's name, the "Dial" button calls.

    It has no pattern for the frontend to check while one types: a contact's name has
    letters, and text that is neither gets a translated message from here.
    """

    _attr_translation_key = "dial_number"
    _attr_mode = TextMode.TEXT
    _attr_native_max = DIAL_MAX

    def __init__(self, entry: ClickToDialConfigEntry) -> None:
        """Create the entity."""
        coordinator: ClickToDialCoordinator = entry.runtime_data.coordinator
        super().__init__(coordinator, "dial_number")
        self._entry = entry
        # The number typed, cleaned, or a contact's name as written in the contact.
        self._value = ""

    @override
    async def async_added_to_hass(self) -> None:
        """Bring back the number or name typed before a restart, if still usable."""
        await super().async_added_to_hass()
        state = await self.async_get_last_state()
        if state is not None:
            with suppress(ServiceValidationError):
                self._value = self._dialable(state.state)

    @property
    @override
    def native_value(self) -> str:
        """Return the number or contact to dial."""
        return self._value

    @override
    async def async_set_value(self, value: str) -> None:
        """Take a number (cleaned) or a contact's name; refuse anything else (empty clears)."""
        self._value = self._dialable(value)
        self.async_write_ha_state()

    def _dialable(self, value: str) -> str:
        """Return a number cleaned or a contact's name as written, or raise a translated error."""
        value = value.strip()
        if not value:
            return ""
        if written_as_number(value):
            return validate_number(CONF_B_NUMBER, value)
        if contact := contact_named(self._entry, value):
            return str(contact.data[CONF_NAME])
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="dial_pad_invalid",
            translation_placeholders={"text": value},
        )
