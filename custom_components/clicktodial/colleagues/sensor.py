"""The Phone sensor of a colleague's phone: idle, ringing or in a call."""

from __future__ import annotations

from typing import override

from custom_components.clicktodial.pushed import PushedCallsCoordinator
from custom_components.clicktodial.pushed.state import PhoneState
from custom_components.clicktodial.voipgrid import PhoneAccount
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import callback

from .devices import device_info, device_key


class ColleaguePhoneSensor(SensorEntity):
    """What a colleague's phone does: idle, ringing or in a call (pushed calls)."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [state.value for state in PhoneState]
    _attr_translation_key = "colleague_phone"

    def __init__(
        self, pushed: PushedCallsCoordinator, phone: PhoneAccount, enabled: bool
    ) -> None:
        """Create the sensor of one colleague's phone account."""
        entry = pushed.config_entry
        self._pushed = pushed
        self._number = phone.number
        self._attr_unique_id = f"{device_key(entry, phone.id)}_phone"
        self._attr_device_info = device_info(entry, phone)
        self._attr_entity_registry_enabled_default = enabled
        self._attr_extra_state_attributes = {"internal_number": phone.number}
        self._written: PhoneState | None = None

    @property
    @override
    def native_value(self) -> str:
        """Return what the phone does (idle without an internal number to follow)."""
        if self._number is None:
            return PhoneState.IDLE.value
        return self._pushed.colleagues.state(self._number).value

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the phone's calls."""
        if self._number is not None:
            self.async_on_remove(
                self._pushed.colleagues.listen(self._number, self._changed)
            )

    @callback
    def _changed(self) -> None:
        """Write the state when it changed."""
        if (state := self.native_value) != self._written:
            self._written = PhoneState(state)
            self.async_write_ha_state()
