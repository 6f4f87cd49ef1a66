"""One path for every call: resolve what was asked (action > contact > account options), start it.

The action, the dial pad and the contact buttons all come through here, so a call's fields
are resolved and its numbers checked in one place, whoever asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any
import unicodedata

from custom_components.clicktodial.const import (
    AUTO_ANSWER_OFF,
    AUTO_ANSWER_ON,
    CONF_A_NUMBER,
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    CONF_B_NUMBER,
    CONF_NUMBER,
    DOMAIN,
)
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    InvalidNumberError,
    calling_code,
    clean_number,
    same_number,
)
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .tracker import TrackedCall


@dataclass(frozen=True, kw_only=True, slots=True)
class CallRequest:
    """A call ready to be sent: every number cleaned, every default applied."""

    b_number: str
    a_number: str | None = None
    b_cli: str | None = None
    auto_answer: bool | None = None
    # The name of the contact being called, if the call is for a contact.
    contact: str | None = None


def validate_number(field: str, value: Any) -> str:
    """Clean up a number someone entered, or raise a translated validation error.

    Each number field has messages of its own, which name the field by its label: a
    placeholder is not translated, so it could only show the field's key.
    """
    if not isinstance(value, str):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key=f"{field}_not_text"
        )
    try:
        return clean_number(value, allow_default_number=field == CONF_B_CLI)
    except InvalidNumberError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=f"invalid_{field}",
            translation_placeholders={"number": value},
        ) from err


def auto_answer_setting(setting: object) -> bool | None:
    """Return what a stored auto-answer choice sends: on, off, or nothing (the default)."""
    return {AUTO_ANSWER_ON: True, AUTO_ANSWER_OFF: False}.get(str(setting))


def resolve_call(
    entry: ClickToDialConfigEntry,
    fields: Mapping[str, Any],
    *,
    contact: Mapping[str, Any] | None = None,
) -> CallRequest:
    """Resolve a call: each field from ``fields``, else the contact, else the options.

    Whichever it comes from, each number is checked and cleaned once, here.
    """
    sources = [fields, contact or {}, entry.options]
    if contact is not None and CONF_B_NUMBER not in fields:
        b_number = validate_number(CONF_B_NUMBER, contact[CONF_NUMBER])
    else:
        b_number = validate_number(CONF_B_NUMBER, fields.get(CONF_B_NUMBER))
    numbers: dict[str, str | None] = {}
    for field in (CONF_A_NUMBER, CONF_B_CLI):
        value = next((source[field] for source in sources if source.get(field)), None)
        numbers[field] = validate_number(field, value) if value else None
    auto_answer: bool | None = fields.get(CONF_AUTO_ANSWER)
    for source in sources[1:]:
        if auto_answer is None:
            auto_answer = auto_answer_setting(source.get(CONF_AUTO_ANSWER))
    return CallRequest(
        b_number=b_number,
        a_number=numbers[CONF_A_NUMBER],
        b_cli=numbers[CONF_B_CLI],
        auto_answer=auto_answer,
        contact=contact[CONF_NAME] if contact else None,
    )


async def async_start_call(
    entry: ClickToDialConfigEntry, request: CallRequest, *, force: bool = False
) -> TrackedCall:
    """Start a resolved call from an account and follow it.

    A call to a number that a call of the account is still going on with (being set up,
    connected, or being sent to the platform) is refused unless ``force``: a second
    "call Alice" while talking to her would ring the user's phone again.
    """
    coordinator = entry.runtime_data.coordinator
    starting = coordinator.tracker.starting
    if not force and (
        request.b_number in starting
        or call_in_progress(coordinator.hass, entry, request.b_number) is not None
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="call_in_progress",
            translation_placeholders={"name": request.contact or request.b_number},
        )
    starting.add(request.b_number)
    try:
        return await coordinator.async_start_call(
            request.b_number,
            a_number=request.a_number,
            b_cli=request.b_cli,
            auto_answer=request.auto_answer,
            contact=request.contact,
        )
    finally:
        starting.discard(request.b_number)


def _call_button(
    registry: er.EntityRegistry, entry: ClickToDialConfigEntry, subentry_id: str
) -> str | None:
    """Return the entity ID of a contact's "Call" button, if it is registered."""
    return next(
        (
            entity.entity_id
            for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
            if entity.config_subentry_id == subentry_id
            and entity.domain == Platform.BUTTON
        ),
        None,
    )


@callback
def async_contacts(
    hass: HomeAssistant, entry_id: str | None = None, *, assistant: str | None = None
) -> list[tuple[ClickToDialConfigEntry, ConfigSubentry]]:
    """Return the contacts of every loaded account, or of one, by account and name.

    With ``assistant``, only contacts whose "Call" button is exposed to that assistant.
    """
    registry = er.async_get(hass)
    entries: list[ClickToDialConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    contacts = []
    for entry in sorted(entries, key=lambda entry: entry.title):
        if entry_id is not None and entry.entry_id != entry_id:
            continue
        # Contacts are the only subentries an account has.
        for subentry in entry.subentries.values():
            if assistant is not None and not (
                (entity_id := _call_button(registry, entry, subentry.subentry_id))
                and async_should_expose(hass, assistant, entity_id)
            ):
                continue
            contacts.append((entry, subentry))
    contacts.sort(key=lambda contact: contact[1].data[CONF_NAME].casefold())
    return contacts


@callback
def find_contact(
    hass: HomeAssistant,
    name: str,
    entry_id: str | None = None,
    *,
    assistant: str | None = None,
) -> tuple[ClickToDialConfigEntry, ConfigSubentry]:
    """Find a contact by name, compared as Assist compares names (``fold_name``).

    It is looked for in every loaded account, or in the one of ``entry_id``; with
    ``assistant``, only among the contacts exposed to it: a contact that is not exposed
    gets the answer of a name no contact has, so that an assistant never tells it exists.
    A name no contact has, or that several have, raises a translated validation error.
    """
    if not hass.config_entries.async_loaded_entries(DOMAIN):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_loaded_entry"
        )
    found = _named(async_contacts(hass, entry_id, assistant=assistant), name)
    if not found:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="contact_not_found",
            translation_placeholders={"name": name.strip()},
        )
    entry, subentry = found[0]
    accounts = {account.entry_id: account.title for account, _ in found}
    if len(accounts) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="contact_ambiguous",
            translation_placeholders={
                "name": subentry.data[CONF_NAME],
                "accounts": ", ".join(accounts.values()),
            },
        )
    if len(found) > 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="contact_name_not_unique",
            translation_placeholders={
                "name": subentry.data[CONF_NAME],
                "account": entry.title,
            },
        )
    return entry, subentry


def fold_name(name: str) -> str:
    """Return a name as Assist compares text: case folded, punctuation dropped.

    Like Home Assistant's conversation agent (hassil): Unicode composed (NFC), every
    punctuation mark dropped ("Dr. Bakker" is "dr bakker", "Smith, John" is "smith
    john"), runs of whitespace made one space, and the ends stripped.
    """
    composed = unicodedata.normalize("NFC", name).casefold()
    kept = "".join(
        char for char in composed if not unicodedata.category(char).startswith("P")
    )
    return " ".join(kept.split())


# What a number may be written with: digits, +, spaces, parentheses, dots, dashes.
_NUMBER_CHARACTERS = re.compile(r"[0-9+ ().\-]*")


def written_as_number(text: str) -> bool:
    """Return whether a text is written as a number would be, rather than as a name."""
    return _NUMBER_CHARACTERS.fullmatch(text) is not None


@callback
def contact_named(entry: ClickToDialConfigEntry, name: str) -> ConfigSubentry | None:
    """Return the account's contact with this name, regardless of case and spaces."""
    found = _named([(entry, subentry) for subentry in entry.subentries.values()], name)
    return found[0][1] if found else None


def _named(
    contacts: list[tuple[ClickToDialConfigEntry, ConfigSubentry]], name: str
) -> list[tuple[ClickToDialConfigEntry, ConfigSubentry]]:
    """Return the contacts with a name, folded as Assist folds text."""
    wanted = fold_name(name)
    return [
        (entry, subentry)
        for entry, subentry in contacts
        if fold_name(subentry.data[CONF_NAME]) == wanted
    ]


@callback
def call_in_progress(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, b_number: str
) -> TrackedCall | None:
    """Return a followed call of the account to this number that has not ended.

    Being set up or connected, the number may be written another way (``0508009899``
    is ``+31508009899`` in the Netherlands).
    """
    code = calling_code(hass.config.country)
    return next(
        (
            call
            for call in entry.runtime_data.coordinator.tracked_calls
            if call.tracking
            and not call.status.is_terminal
            and same_number(call.b_number, b_number, code)
        ),
        None,
    )


@callback
def contact_with_number(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, number: str | None
) -> ConfigSubentry | None:
    """Return the account's contact with this number, written either way."""
    if not number:
        return None
    code = calling_code(hass.config.country)
    return next(
        (
            subentry
            for subentry in entry.subentries.values()
            if same_number(number, subentry.data.get(CONF_NUMBER), code)
        ),
        None,
    )


@callback
def contact_name_of(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, number: str | None
) -> str | None:
    """Return the name of the account's contact with this number, written either way."""
    contact = contact_with_number(hass, entry, number)
    return str(contact.data[CONF_NAME]) if contact is not None else None
