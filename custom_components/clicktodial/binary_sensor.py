"""Binary sensors of the Click to dial integration: which of the user's phones are online.

One connectivity sensor per phone account of the user, named after it ("Desk (201)
online"). Whether a phone is registered comes from the read of the company's phone
accounts; which phone accounts are the user's, and their names, from which phone rings,
both read every 5 minutes. Phone accounts the user gains get a sensor at the next read;
those the user loses lose theirs (also across a restart). With "Show colleagues' phones",
each colleague's phone account gets one too, on its own device.
"""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.binary_sensor import BinarySensorEntity

# From the module that defines it: the package does not re-export it explicitly.
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .colleagues.devices import async_follow_colleagues, device_info
from .entity import ClickToDialEntity, async_remove_entities
from .reads.destinations import DestinationsCoordinator, destination_label
from .reads.phones import PhonesCoordinator
from .runtime import ClickToDialConfigEntry
from .voipgrid import Destination, PhoneAccount

PARALLEL_UPDATES = 0

# The unique id of a phone's sensor: <account>_phone_<phone account id>_online.
_SUFFIX: Final = "_online"


def phone_key(phone_account_id: str) -> str:
    """Return the key of the sensor of one of the user's phone accounts."""
    return f"phone_{phone_account_id}{_SUFFIX}"


def _user_phones(entry: ClickToDialConfigEntry) -> set[str] | None:
    """Return the ids of the user's phone accounts to show; None while not known."""
    if entry.runtime_data.phones is None:
        return set()
    if (phones := entry.runtime_data.user_phones) is None:
        return None
    return {phone.id for phone in phones.phone_accounts}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor per phone account of the user; follow the accounts that come and go."""
    phones = entry.runtime_data.phones
    destinations = entry.runtime_data.destinations
    shown: set[str] = set()

    @callback
    def sync() -> None:
        """Add the sensors of new phone accounts; remove those of phone accounts gone."""
        if (wanted := _user_phones(entry)) is None:
            return
        if new := wanted - shown:
            assert phones is not None
            assert destinations is not None
            shown.update(new)
            async_add_entities(
                PhoneOnlineSensor(phones, destinations, phone) for phone in new
            )
        keep = {f"{entry.unique_id}_{phone_key(phone)}" for phone in wanted}
        async_remove_entities(
            hass,
            entry,
            Platform.BINARY_SENSOR,
            lambda unique_id: unique_id.endswith(_SUFFIX) and unique_id not in keep,
        )
        shown.intersection_update(wanted)

    sync()
    if phones is not None:
        async_follow_colleagues(
            hass,
            entry,
            Platform.BINARY_SENSOR,
            async_add_entities,
            lambda phone, enabled: [ColleagueOnlineSensor(phones, phone, enabled)],
        )
        assert destinations is not None
        entry.async_on_unload(destinations.async_add_listener(sync))
        # The phone list is read on while the user has no phone account too: a phone
        # account gained later shows what the last read said of it.
        entry.async_on_unload(phones.async_add_listener(sync))


class OnlineSensor(ClickToDialEntity[PhonesCoordinator], BinarySensorEntity):
    """Whether a phone is registered to a phone account, from the phone list."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    phone_id: str

    @property
    @override
    def available(self) -> bool:
        """Return whether it is known whether the phone is registered."""
        data = self.coordinator.data
        return (
            super().available
            and data is not None
            and data.registered(self.phone_id) is not None
        )

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether a phone is registered to the phone account."""
        data = self.coordinator.data
        return data.registered(self.phone_id) if data else None

    def _phone(self) -> PhoneAccount | None:
        """Return the phone account as the phone list has it."""
        data = self.coordinator.data
        return data.accounts.get(self.phone_id) if data else None


class ColleagueOnlineSensor(OnlineSensor):
    """Whether a phone is registered to a colleague's phone account."""

    _attr_translation_key = "colleague_online"

    def __init__(
        self, phones: PhonesCoordinator, phone: PhoneAccount, enabled: bool
    ) -> None:
        """Create the sensor of one colleague's phone account."""
        super().__init__(phones, f"colleague_{phone.id}_connected")
        self._attr_device_info = device_info(phones.config_entry, phone)
        self._attr_entity_registry_enabled_default = enabled
        self.phone_id = phone.id

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the extension and which phone is registered (as it names itself)."""
        phone = self._phone()
        return {
            "internal_number": phone.number if phone else None,
            "device": phone.useragent if phone else None,
        }


class PhoneOnlineSensor(OnlineSensor):
    """Whether a phone is registered to one of the user's phone accounts."""

    _attr_translation_key = "phone_online"

    def __init__(
        self,
        coordinator: PhonesCoordinator,
        destinations: DestinationsCoordinator,
        phone_id: str,
    ) -> None:
        """Create the sensor of one of the user's phone accounts."""
        super().__init__(coordinator, phone_key(phone_id))
        # Which phone rings names the phone account.
        self._destinations = destinations
        self.phone_id = phone_id
        self._attr_translation_placeholders = {"phone": self._label()}

    def _destination(self) -> Destination | None:
        """Return the phone account as which phone rings describes it."""
        data = self._destinations.data
        return (
            next(
                (phone for phone in data.phone_accounts if phone.id == self.phone_id),
                None,
            )
            if data
            else None
        )

    def _label(self) -> str:
        """Return how the phone is named: ``Desk (201)``."""
        destination = self._destination()
        return destination_label(destination) if destination else self.phone_id

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return which phone is registered (as it names itself), and its number."""
        phone = self._phone()
        destination = self._destination()
        return {
            "device": phone.useragent if phone else None,
            "internal_number": destination.number if destination else None,
        }

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow which phone rings: it names the phone account."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._destinations.async_add_listener(self._handle_coordinator_update)
        )

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Follow a renamed phone account in the name, then write the state."""
        if (label := self._label()) != self._attr_translation_placeholders["phone"]:
            self._attr_translation_placeholders = {"phone": label}
            # Home Assistant keeps the name once worked out: have it worked out anew.
            self.__dict__.pop("name", None)
        super()._handle_coordinator_update()
