"""Actions of the Click to dial integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .api import InvalidNumberError, clean_number
from .const import (
    AUTO_ANSWER_OFF,
    AUTO_ANSWER_ON,
    CONF_A_NUMBER,
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    CONF_B_NUMBER,
    CONF_CONFIG_ENTRY_ID,
    DOMAIN,
)
from .coordinator import ClickToDialConfigEntry, TrackedCall

SERVICE_CALL = "call"

SERVICE_CALL_SCHEMA = probatio.Schema(
    {
        # Numbers are checked in the handler: YAML reads an unquoted 0031... or +31...
        # as an integer, and a silently converted number would call someone else.
        probatio.Required(CONF_B_NUMBER): cv.match_all,
        probatio.Optional(CONF_A_NUMBER): cv.match_all,
        probatio.Optional(CONF_B_CLI): cv.match_all,
        probatio.Optional(CONF_AUTO_ANSWER): cv.boolean,
        probatio.Optional(CONF_CONFIG_ENTRY_ID): cv.string,
    }
)


# Each number field has its own messages, which name the field by its label: a
# placeholder cannot be translated, so it could only show the field's key.


def _not_text_error(field: str) -> ServiceValidationError:
    """Return the error of a number field given as something other than text."""
    if field == CONF_A_NUMBER:
        return ServiceValidationError(
            translation_domain=DOMAIN, translation_key="a_number_not_text"
        )
    if field == CONF_B_CLI:
        return ServiceValidationError(
            translation_domain=DOMAIN, translation_key="b_cli_not_text"
        )
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key="b_number_not_text"
    )


def _invalid_number_error(field: str, value: str) -> ServiceValidationError:
    """Return the error of a number field that cannot be dialled."""
    if field == CONF_A_NUMBER:
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_a_number",
            translation_placeholders={"number": value},
        )
    if field == CONF_B_CLI:
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_b_cli",
            translation_placeholders={"number": value},
        )
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_b_number",
        translation_placeholders={"number": value},
    )


def validate_number(field: str, value: Any) -> str:
    """Clean up a number field, or raise a translated validation error."""
    if not isinstance(value, str):
        raise _not_text_error(field)
    try:
        return clean_number(value, allow_default_number=field == CONF_B_CLI)
    except InvalidNumberError as err:
        raise _invalid_number_error(field, value) from err


async def async_place_call(
    entry: ClickToDialConfigEntry, request: Mapping[str, Any]
) -> TrackedCall:
    """Start a call with the entry's options as defaults for fields not in ``request``.

    Every number is checked before anything is sent to the platform.
    """
    options = entry.options
    b_number = validate_number(CONF_B_NUMBER, request.get(CONF_B_NUMBER))
    numbers: dict[str, str | None] = {}
    for field in (CONF_A_NUMBER, CONF_B_CLI):
        value = request.get(field) or options.get(field)
        numbers[field] = validate_number(field, value) if value else None
    auto_answer: bool | None = request.get(CONF_AUTO_ANSWER)
    if auto_answer is None:
        auto_answer = {AUTO_ANSWER_ON: True, AUTO_ANSWER_OFF: False}.get(
            options.get(CONF_AUTO_ANSWER, "")
        )
    return await entry.runtime_data.coordinator.async_start_call(
        b_number,
        a_number=numbers[CONF_A_NUMBER],
        b_cli=numbers[CONF_B_CLI],
        auto_answer=auto_answer,
    )


def _entry_for_call(
    hass: HomeAssistant, entry_id: str | None
) -> ClickToDialConfigEntry:
    """Return the account to call from: the one named, or the only one loaded."""
    if entry_id is not None:
        entry: ClickToDialConfigEntry | None = hass.config_entries.async_get_entry(
            entry_id
        )
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"title": entry.title},
            )
        return entry
    loaded: list[ClickToDialConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if not loaded:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_loaded_entry"
        )
    if len(loaded) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="entry_required"
        )
    return loaded[0]


async def _async_call(call: ServiceCall) -> ServiceResponse:
    """Handle the ``clicktodial.call`` action."""
    entry = _entry_for_call(call.hass, call.data.get(CONF_CONFIG_ENTRY_ID))
    tracked = await async_place_call(entry, call.data)
    if not call.return_response:
        return None
    return {"call_id": tracked.call_id, "status": tracked.status.value}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL,
        _async_call,
        schema=SERVICE_CALL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
