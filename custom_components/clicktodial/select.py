"""Select entities of the Click to dial integration: which phone rings, which caller ID."""

from __future__ import annotations

from typing import Final, override

from homeassistant.components.select import SelectEntity
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .calls.path import validate_number
from .const import CONF_B_CLI
from .entity import ClickToDialEntity
from .reads.caller_ids import CallerIdsCoordinator, caller_id_label
from .reads.destinations import DestinationsCoordinator
from .runtime import ClickToDialConfigEntry
from .voipgrid import DEFAULT_NUMBER

PARALLEL_UPDATES = 0

# The caller ID option that sends none: the platform's setting decides.
PLATFORM_SETTING: Final = "platform"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the "Phone that rings" select of an account that can choose it."""
    if (coordinator := entry.runtime_data.destinations) is not None:
        async_add_entities([PhoneThatRingsSelect(coordinator)])
    if (caller_ids := entry.runtime_data.caller_ids) is not None:
        async_add_entities([CallerIdSelect(caller_ids)])


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


class CallerIdSelect(ClickToDialEntity[CallerIdsCoordinator], SelectEntity):
    """The caller ID of the account's calls: the options' ``b_cli``, for a dashboard."""

    _attr_translation_key = "caller_id"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, coordinator: CallerIdsCoordinator) -> None:
        """Create the select of an account."""
        super().__init__(coordinator, "caller_id")

    def _setting(self) -> str | None:
        """Return the caller ID the account's options send, None when they send none."""
        value = self.coordinator.config_entry.options.get(CONF_B_CLI)
        return str(value) if value else None

    def _numbers(self) -> dict[str, str]:
        """Return the numbers as options (label to number), the one set if not listed."""
        numbers = {
            caller_id_label(number): number.number
            for number in self.coordinator.data or ()
        }
        setting = self._setting()
        if setting not in (None, DEFAULT_NUMBER, *numbers.values()):
            assert setting is not None
            numbers[setting] = setting
        return numbers

    @property
    @override
    def available(self) -> bool:
        """Return whether the numbers were read and reads have not failed long."""
        return super().available and self.coordinator.data is not None

    @property
    @override
    def options(self) -> list[str]:
        """Return the platform's setting, the default number, then the numbers."""
        return [PLATFORM_SETTING, DEFAULT_NUMBER, *self._numbers()]

    @property
    @override
    def current_option(self) -> str:
        """Return the caller ID the account's calls send now."""
        setting = self._setting()
        if setting is None:
            return PLATFORM_SETTING
        if setting == DEFAULT_NUMBER:
            return DEFAULT_NUMBER
        return next(
            label for label, number in self._numbers().items() if number == setting
        )

    @override
    async def async_select_option(self, option: str) -> None:
        """Make the chosen caller ID the account's default (no reload, no request)."""
        entry = self.coordinator.config_entry
        options = {k: v for k, v in entry.options.items() if k != CONF_B_CLI}
        if option != PLATFORM_SETTING:
            number = (
                DEFAULT_NUMBER if option == DEFAULT_NUMBER else self._numbers()[option]
            )
            options[CONF_B_CLI] = validate_number(CONF_B_CLI, number)
        self.hass.config_entries.async_update_entry(entry, options=options)

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow the options: the options form changes the caller ID too."""
        await super().async_added_to_hass()
        entry_id = self.coordinator.config_entry.entry_id

        @callback
        def changed(change: ConfigEntryChange, entry: ConfigEntry) -> None:
            if change is ConfigEntryChange.UPDATED and entry.entry_id == entry_id:
                self.async_write_ha_state()

        self.async_on_remove(
            async_dispatcher_connect(self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, changed)
        )
