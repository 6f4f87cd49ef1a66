"""Actions of the Click to dial integration."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

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
from homeassistant.helpers.selector import TextSelector
from homeassistant.helpers.service import async_set_service_schema
from homeassistant.util.yaml import load_yaml_dict

from .calls.back import number_to_call_back
from .calls.hang_up import async_hang_up
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
from .reads.caller_ids import caller_id_selector
from .runtime import ClickToDialConfigEntry
from .voipgrid import CallerIdNumber

SERVICE_CALL = "call"
SERVICE_HANG_UP = "hang_up"

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


SERVICE_HANG_UP_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_CALL_ID): cv.string,
        probatio.Optional(CONF_CONFIG_ENTRY_ID): cv.string,
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


async def _async_hang_up(call: ServiceCall) -> None:
    """Handle the ``clicktodial.hang_up`` action."""
    entry_id: str | None = call.data.get(CONF_CONFIG_ENTRY_ID)
    call_id: str | None = call.data.get(CONF_CALL_ID)
    if call_id is not None and not (call_id := call_id.strip()):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="call_id_empty"
        )
    following = None if call_id is None else _entry_following(call.hass, call_id)
    if entry_id is None and following is not None:
        entry = following
    else:
        entry = _entry_for_call(call.hass, entry_id)
    await async_hang_up(entry, call_id)


def _entry_following(
    hass: HomeAssistant, call_id: str
) -> ClickToDialConfigEntry | None:
    """Return the loaded account that follows a call, if one does."""
    entries: list[ClickToDialConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    return next(
        (
            entry
            for entry in entries
            if any(
                tracked.call_id == call_id
                for tracked in entry.runtime_data.coordinator.tracked_calls
            )
        ),
        None,
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
    hass.services.async_register(
        DOMAIN, SERVICE_HANG_UP, _async_hang_up, schema=SERVICE_HANG_UP_SCHEMA
    )


@callback
def async_offer_caller_ids(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> None:
    """Offer the account's caller-ID numbers in the call action's caller ID field.

    The field lists the numbers of every loaded account as last read; without any, it
    is the text field of services.yaml.
    """
    if (caller_ids := entry.runtime_data.caller_ids) is None:
        return

    @callback
    def offer() -> None:
        entry.async_create_background_task(
            hass,
            _async_describe_b_cli(hass, joining=entry),
            f"{DOMAIN} caller ID field",
        )

    @callback
    def withdraw() -> None:
        hass.async_create_task(_async_describe_b_cli(hass, leaving=entry.entry_id))

    offer()
    entry.async_on_unload(caller_ids.async_add_listener(offer))
    entry.async_on_unload(withdraw)


async def _async_describe_b_cli(
    hass: HomeAssistant,
    *,
    joining: ClickToDialConfigEntry | None = None,
    leaving: str | None = None,
) -> None:
    """Describe the call action's caller ID field with the numbers of loaded accounts.

    ``joining`` is an account still being set up; ``leaving`` one being unloaded. The
    accounts are looked at once the file is read, so the last description is of now.
    """
    fields = dict(await hass.async_add_executor_job(_call_fields))
    entries: dict[str, ClickToDialConfigEntry] = {
        entry.entry_id: entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    }
    if joining is not None and joining.state is ConfigEntryState.SETUP_IN_PROGRESS:
        entries[joining.entry_id] = joining
    entries.pop(leaving or "", None)
    numbers: dict[str, CallerIdNumber] = {}
    for entry in sorted(entries.values(), key=lambda entry: entry.title):
        if (caller_ids := entry.runtime_data.caller_ids) and caller_ids.data:
            for number in caller_ids.data:
                numbers.setdefault(number.number, number)
    selector = caller_id_selector(numbers.values()) if numbers else TextSelector()
    fields[CONF_B_CLI] = {**fields[CONF_B_CLI], **selector.serialize()}
    # Names and descriptions come from the translations, as for services.yaml.
    async_set_service_schema(hass, DOMAIN, SERVICE_CALL, {"fields": fields})


@cache
def _call_fields() -> dict[str, Any]:
    """Return the fields of the call action as services.yaml describes them."""
    fields: dict[str, Any] = load_yaml_dict(
        str(Path(__file__).parent / "services.yaml")
    )[SERVICE_CALL]["fields"]
    return fields
