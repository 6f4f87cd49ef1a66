"""Actions of the Click to dial integration."""

from __future__ import annotations

import probatio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .calls.back import number_to_call_back
from .calls.path import (
    CallRequest,
    async_start_call,
    contact_with_number,
    find_contact,
    resolve_call,
)
from .const import (
    CONF_A_NUMBER,
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    CONF_B_NUMBER,
    CONF_CALL_ID,
    CONF_CONFIG_ENTRY_ID,
    CONF_CONTACT,
    CONF_FORCE,
    DOMAIN,
)
from .runtime import ClickToDialConfigEntry

SERVICE_CALL = "call"

SERVICE_CALL_SCHEMA = probatio.Schema(
    {
        # Numbers are checked in the handler: YAML reads an unquoted 0031... or +31...
        # as an integer, and a silently converted number would call someone else.
        # Exactly one of b_number and contact is needed; the handler checks it.
        probatio.Optional(CONF_B_NUMBER): cv.match_all,
        probatio.Optional(CONF_CONTACT): cv.string,
        probatio.Optional(CONF_CALL_ID): cv.string,
        probatio.Optional(CONF_A_NUMBER): cv.match_all,
        probatio.Optional(CONF_B_CLI): cv.match_all,
        probatio.Optional(CONF_AUTO_ANSWER): cv.boolean,
        probatio.Optional(CONF_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(CONF_FORCE, default=False): cv.boolean,
    }
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
    if (
        sum(key in call.data for key in (CONF_B_NUMBER, CONF_CONTACT, CONF_CALL_ID))
        != 1
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="number_or_contact"
        )
    entry_id: str | None = call.data.get(CONF_CONFIG_ENTRY_ID)
    extra: dict[str, str] = {}
    if CONF_CONTACT in call.data:
        if entry_id is not None:
            # The account named must exist and be loaded; the contact is looked up in it.
            _entry_for_call(call.hass, entry_id)
        entry, contact = find_contact(call.hass, call.data[CONF_CONTACT], entry_id)
        request = resolve_call(entry, call.data, contact=contact.data)
        extra["contact"] = contact.data[CONF_NAME]
    elif CONF_CALL_ID in call.data:
        entry, request = _call_back(call, entry_id)
        if request.contact:
            extra["contact"] = request.contact
    else:
        entry = _entry_for_call(call.hass, entry_id)
        request = resolve_call(entry, call.data)
    tracked = await async_start_call(entry, request, force=call.data[CONF_FORCE])
    if not call.return_response:
        return None
    return {"call_id": tracked.call_id, "status": tracked.status.value, **extra}


def _call_back(
    call: ServiceCall, entry_id: str | None
) -> tuple[ClickToDialConfigEntry, CallRequest]:
    """Resolve calling back the other party of a known call (a contact's, with its settings)."""
    entries: list[ClickToDialConfigEntry] = (
        [_entry_for_call(call.hass, entry_id)]
        if entry_id is not None
        else call.hass.config_entries.async_loaded_entries(DOMAIN)
    )
    entry, number = number_to_call_back(call.hass, entries, call.data[CONF_CALL_ID])
    contact = contact_with_number(call.hass, entry, number)
    fields = {**call.data, CONF_B_NUMBER: number}
    return entry, resolve_call(
        entry, fields, contact=contact.data if contact is not None else None
    )


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
