"""The integration's conditions: a phone of the account is in a call, or ringing.

They read the state the pushed calls give (option "Follow all calls"): without call
notifications a phone is never in a call nor ringing. With no account chosen, any loaded
account's phone counts.
"""

from __future__ import annotations

from typing import Final, Unpack, cast, override

import probatio

from homeassistant.const import CONF_OPTIONS
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import (
    Condition,
    ConditionCheckParams,
    ConditionConfig,
)
from homeassistant.helpers.typing import ConfigType

from .automation.matching import OPTION_ACCOUNT
from .const import DOMAIN
from .pushed.state import PhoneState
from .runtime import ClickToDialConfigEntry

_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(CONF_OPTIONS, default=dict): {
            probatio.Optional(OPTION_ACCOUNT): cv.string
        }
    }
)


class _PhoneStateCondition(Condition):
    """Whether a phone of the account is in one state."""

    _state: PhoneState

    @override
    @classmethod
    async def async_validate_config(
        cls, hass: HomeAssistant, config: ConfigType
    ) -> ConfigType:
        """Validate the condition's options."""
        return cast(ConfigType, _SCHEMA(config))

    def __init__(self, hass: HomeAssistant, config: ConditionConfig) -> None:
        """Take the condition's options."""
        super().__init__(hass, config)
        self._account: str | None = (config.options or {}).get(OPTION_ACCOUNT)

    @override
    def _async_check(self, **kwargs: Unpack[ConditionCheckParams]) -> bool:
        """Return whether a chosen (or any) loaded account's phone is in the state."""
        entries: list[ClickToDialConfigEntry] = (
            self._hass.config_entries.async_loaded_entries(DOMAIN)
        )
        return any(
            entry.runtime_data.pushed.data.state is self._state
            for entry in entries
            if self._account in (None, entry.entry_id)
        )


class OnThePhoneCondition(_PhoneStateCondition):
    """A phone of the account is in a call."""

    _state = PhoneState.IN_CALL


class PhoneRingingCondition(_PhoneStateCondition):
    """A phone of the account rings."""

    _state = PhoneState.RINGING


CONDITIONS: Final[dict[str, type[Condition]]] = {
    "on_the_phone": OnThePhoneCondition,
    "phone_ringing": PhoneRingingCondition,
}


async def async_get_conditions(hass: HomeAssistant) -> dict[str, type[Condition]]:
    """Return the integration's conditions."""
    return CONDITIONS
