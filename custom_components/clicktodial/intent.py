"""The intent that calls a contact by name, for sentences a person writes."""

from __future__ import annotations

from typing import Any, override

import probatio

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import intent, translation

from .calls import async_start_call, find_contact, resolve_call
from .const import DOMAIN

INTENT_CALL_CONTACT = "ClickToDialCallContact"
SLOT_NAME = "name"

# What is said when a contact is being called, by language; English for any other.
CALLING_SPEECH = {"en": "Calling {name}", "nl": "Ik bel {name}"}


def speech_language(language: str | None) -> str:
    """Return the language to answer in: the conversation's (``nl-BE`` is ``nl``), else English."""
    base = (language or "").partition("-")[0].lower()
    return base if base in CALLING_SPEECH else "en"


async def async_error_message(
    hass: HomeAssistant, err: HomeAssistantError, language: str | None
) -> str:
    """Return the message of one of the integration's errors in a conversation's language."""
    strings = await translation.async_get_translations(
        hass, speech_language(language), "exceptions", [DOMAIN]
    )
    key = f"component.{DOMAIN}.exceptions.{err.translation_key}.message"
    template = strings.get(key)
    return (
        template.format(**(err.translation_placeholders or {}))
        if template
        else str(err)
    )


class CallContactIntentHandler(intent.IntentHandler):
    """Call the contact named in the ``name`` slot, with the contact's own settings."""

    intent_type = INTENT_CALL_CONTACT
    description = "Calls one of the Click to dial contacts by name"

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        """Return the slots: the contact's name."""
        return {probatio.Required(SLOT_NAME): intent.non_empty_string}

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Start the call and say so; say why not when it cannot be started."""
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        response = intent_obj.create_response()
        try:
            entry, contact = find_contact(hass, slots[SLOT_NAME]["value"])
            await async_start_call(entry, resolve_call(entry, {}, contact=contact.data))
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS
                if isinstance(err, ServiceValidationError)
                else intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                await async_error_message(hass, err, intent_obj.language),
            )
            return response
        name = contact.data[CONF_NAME]
        response.async_set_speech(
            CALLING_SPEECH[speech_language(intent_obj.language)].format(name=name)
        )
        return response


@callback
def async_register_intents(hass: HomeAssistant) -> None:
    """Register the integration's intents, once."""
    if all(
        handler.intent_type != INTENT_CALL_CONTACT for handler in intent.async_get(hass)
    ):
        intent.async_register(hass, CallContactIntentHandler())


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents when Home Assistant's intent integration asks for them."""
    async_register_intents(hass)
