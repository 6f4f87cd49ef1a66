"""Buttons of the Click to dial integration: "Dial", "Stop call" and one per contact."""

from __future__ import annotations

from typing import override

from homeassistant.components.button import ButtonEntity
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.const import CONF_NAME, STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import slugify

from .calls.coordinator import ClickToDialCoordinator
from .calls.hang_up import async_hang_up
from .calls.path import async_start_call, contact_named, resolve_call, written_as_number
from .const import CONF_B_NUMBER, CONF_NUMBER, DOMAIN, MANUFACTURER
from .entity import ClickToDialEntity, account_device_info
from .runtime import ClickToDialConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add "Dial", "Stop call" and a button per contact; follow contact changes live."""
    async_add_entities([DialButton(entry), StopCallButton(entry)])
    # The devices of the contacts are connected via the account's device.
    account_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        **account_device_info(entry, entry.runtime_data.client.base_url),
    )
    buttons: dict[str, ContactButton] = {}

    @callback
    def add(subentry: ConfigSubentry) -> None:
        """Add the button of a contact, on the contact's own device."""
        button = buttons[subentry.subentry_id] = ContactButton(
            entry, subentry, account_device.id
        )
        async_add_entities([button], config_subentry_id=subentry.subentry_id)

    async def renew(old: ContactButton, subentry: ConfigSubentry) -> None:
        """Replace the button of an edited contact; its device takes the new name."""
        await old.async_remove()
        add(subentry)

    @callback
    def sync_contacts() -> None:
        """Add buttons of new contacts and renew those of edited ones."""
        # Contacts are the only subentries an account has.
        for subentry_id, subentry in entry.subentries.items():
            if (old := buttons.get(subentry_id)) is None:
                add(subentry)
            elif old.contact != subentry.data:
                # Home Assistant edits a subentry in place: compare with the copy.
                old.contact = dict(subentry.data)
                entry.async_create_task(hass, renew(old, subentry))
        for subentry_id in set(buttons) - set(entry.subentries):
            # Home Assistant removes the entities of a removed subentry itself.
            del buttons[subentry_id]

    @callback
    def entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        """Follow added and edited contacts without a reload."""
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            sync_contacts()

    sync_contacts()
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    )


class DialButton(ClickToDialEntity[ClickToDialCoordinator], ButtonEntity):
    """Call the number on the dial pad."""

    _attr_translation_key = "dial"

    def __init__(self, entry: ClickToDialConfigEntry) -> None:
        """Create the button."""
        super().__init__(entry.runtime_data.coordinator, "dial")
        self._entry = entry

    @override
    async def async_press(self) -> None:
        """Call the dial pad's number or contact."""
        if not (typed := self._dial_pad_number()):
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="dial_pad_empty"
            )
        # What the dial pad holds is a cleaned number or a contact's name.
        if not written_as_number(typed) and (
            contact := contact_named(self._entry, typed)
        ):
            request = resolve_call(self._entry, {}, contact=contact.data)
        else:
            request = resolve_call(self._entry, {CONF_B_NUMBER: typed})
        await async_start_call(self._entry, request)

    def _dial_pad_number(self) -> str:
        """Return the number the dial pad's text entity holds (empty when none)."""
        entity_id = er.async_get(self.hass).async_get_entity_id(
            Platform.TEXT, DOMAIN, f"{self._entry.unique_id}_dial_number"
        )
        state = self.hass.states.get(entity_id) if entity_id else None
        if state is None or state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            return ""
        return state.state


class StopCallButton(ClickToDialEntity[ClickToDialCoordinator], ButtonEntity):
    """Ask the platform to stop the account's latest call, while it is followed."""

    _attr_translation_key = "stop_call"

    def __init__(self, entry: ClickToDialConfigEntry) -> None:
        """Create the button."""
        super().__init__(entry.runtime_data.coordinator, "stop_call")
        self._entry = entry

    @override
    async def async_press(self) -> None:
        """Stop the latest call; a call the platform cannot stop goes on as it was."""
        await async_hang_up(self._entry, None)


class ContactButton(ClickToDialEntity[ClickToDialCoordinator], ButtonEntity):
    """Call one contact, with the contact's own settings."""

    _attr_translation_key = "call_contact"

    def __init__(
        self,
        entry: ClickToDialConfigEntry,
        subentry: ConfigSubentry,
        account_device_id: str,
    ) -> None:
        """Create the button on a device named after the contact."""
        super().__init__(entry.runtime_data.coordinator, subentry.subentry_id)
        name = subentry.data[CONF_NAME]
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.unique_id}_{subentry.subentry_id}")},
            name=name,
            manufacturer=MANUFACTURER,
            # The device page shows the model under the name: the number it calls.
            model=subentry.data[CONF_NUMBER],
            via_device_id=account_device_id,
        )
        # Before contacts had devices their buttons were named "Call <name>": a new
        # button gets the entity ID such a button had, not one after "<name> Call".
        self.entity_id = f"{Platform.BUTTON}.{slugify(f'call {name}')}"
        self._entry = entry
        self.contact = dict(subentry.data)

    @override
    async def async_press(self) -> None:
        """Call the contact."""
        await async_start_call(
            self._entry, resolve_call(self._entry, {}, contact=self.contact)
        )
