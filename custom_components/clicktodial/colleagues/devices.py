"""The devices of colleagues' phones: one per phone account of the company.

With the option "Show colleagues' phones", each phone account of the company that is not
the user's gets a device with an Online sensor (from the phone account list) and, with
call notifications on, a Phone sensor (idle, ringing, in a call; from the company's pushed
calls). They come and go with the phone accounts; with more than
``COLLEAGUES_ENABLED_MAX`` of them, they are added disabled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from custom_components.clicktodial.const import (
    COLLEAGUES_ENABLED_MAX,
    CONF_SHOW_COLLEAGUES,
    DOMAIN,
    MANUFACTURER,
)
from custom_components.clicktodial.entity import async_remove_entities
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import PhoneAccount
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

# The unique ids: <account>_colleague_<phone account id>_<phone|connected>.
_MARK: Final = "_colleague_"


def device_key(entry: ClickToDialConfigEntry, phone_id: str) -> str:
    """Return the identifier of a colleague's phone device."""
    return f"{entry.unique_id}{_MARK}{phone_id}"


def colleagues(entry: ClickToDialConfigEntry) -> dict[str, PhoneAccount] | None:
    """Return the colleagues' phone accounts to show by id; None while not known."""
    data = entry.runtime_data
    if not entry.options.get(CONF_SHOW_COLLEAGUES) or data.phones is None:
        return {}
    if data.phones.data is None or (mine := data.user_phones) is None:
        return None
    own = {phone.id for phone in mine.phone_accounts}
    return {
        phone_id: phone
        for phone_id, phone in data.phones.data.accounts.items()
        if phone_id not in own
    }


def device_info(entry: ClickToDialConfigEntry, phone: PhoneAccount) -> DeviceInfo:
    """Return the device of a colleague's phone account."""
    return DeviceInfo(
        identifiers={(DOMAIN, device_key(entry, phone.id))},
        name=phone.description or phone.number or phone.id,
        manufacturer=MANUFACTURER,
        model="Phone account",
        serial_number=phone.number,
    )


@callback
def async_follow_colleagues(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    platform: Platform,
    add: AddConfigEntryEntitiesCallback,
    make: Callable[[PhoneAccount, bool], Iterable[Entity]],
) -> None:
    """Add the entities of new colleagues' phones; remove those of phones gone."""
    shown: set[str] = set()

    @callback
    def sync() -> None:
        """Bring the entities in line with the phone account list."""
        if (wanted := colleagues(entry)) is None:
            return
        enabled = len(wanted) <= COLLEAGUES_ENABLED_MAX
        if new := set(wanted) - shown:
            shown.update(new)
            add(
                entity for phone_id in new for entity in make(wanted[phone_id], enabled)
            )
        keep = {device_key(entry, phone_id) for phone_id in wanted}
        async_remove_entities(
            hass,
            entry,
            platform,
            lambda unique_id: (
                _MARK in unique_id and unique_id.rsplit("_", 1)[0] not in keep
            ),
        )
        if platform is Platform.BINARY_SENSOR:
            _remove_devices(hass, entry, keep)
        shown.intersection_update(wanted)

    sync()
    if (phones := entry.runtime_data.phones) is not None:
        entry.async_on_unload(phones.async_add_listener(sync))
        if (destinations := entry.runtime_data.destinations) is not None:
            entry.async_on_unload(destinations.async_add_listener(sync))


def _remove_devices(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, keep: set[str]
) -> None:
    """Remove the devices of colleagues' phones no longer shown."""
    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        if any(
            domain == DOMAIN and _MARK in key and key not in keep
            for domain, key in device.identifiers
        ):
            devices.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )
