"""The Online sensor of a colleague's phone: whether a phone is registered to it."""

from __future__ import annotations

from typing import Any, override

from custom_components.clicktodial.entity import ClickToDialEntity
from custom_components.clicktodial.reads.phones import PhonesCoordinator
from custom_components.clicktodial.voipgrid import PhoneAccount
from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass

from .devices import device_info


class ColleagueOnlineSensor(ClickToDialEntity[PhonesCoordinator], BinarySensorEntity):
    """Whether a phone is registered to a colleague's phone account."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_translation_key = "colleague_online"

    def __init__(
        self, phones: PhonesCoordinator, phone: PhoneAccount, enabled: bool
    ) -> None:
        """Create the sensor of one colleague's phone account."""
        entry = phones.config_entry
        super().__init__(phones, f"colleague_{phone.id}_connected")
        self._attr_device_info = device_info(entry, phone)
        self._attr_entity_registry_enabled_default = enabled
        self.phone_id = phone.id

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

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the extension and which phone is registered (as it names itself)."""
        data = self.coordinator.data
        phone = data.accounts.get(self.phone_id) if data else None
        return {
            "internal_number": phone.number if phone else None,
            "device": phone.useragent if phone else None,
        }
