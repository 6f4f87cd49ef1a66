"""One path for every call: resolve what was asked (action > contact > account options), start it.

The action, the dial pad and the contact buttons all come through here, so a call's fields
are resolved and its numbers checked in one place, whoever asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_NAME
from homeassistant.exceptions import ServiceValidationError

from .const import (
    AUTO_ANSWER_OFF,
    AUTO_ANSWER_ON,
    CONF_A_NUMBER,
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    CONF_B_NUMBER,
    CONF_NUMBER,
    DOMAIN,
)
from .coordinator import ClickToDialConfigEntry
from .tracker import TrackedCall
from .voipgrid import InvalidNumberError, clean_number


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
    entry: ClickToDialConfigEntry, request: CallRequest
) -> TrackedCall:
    """Start a resolved call from an account and follow it."""
    return await entry.runtime_data.coordinator.async_start_call(
        request.b_number,
        a_number=request.a_number,
        b_cli=request.b_cli,
        auto_answer=request.auto_answer,
        contact=request.contact,
    )
