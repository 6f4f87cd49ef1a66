"""The intent that calls a contact by name: Assist's sentences and a person's own."""

from __future__ import annotations

from typing import Any, override

import probatio

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import intent, translation

from .calls.path import async_start_call, find_contact, resolve_call
from .const import DOMAIN
from .texts import async_text, text_language

INTENT_CALL_CONTACT = "ClickToDialCallContact"
SLOT_NAME = "name"


async def async_error_message(
    hass: HomeAssistant, err: HomeAssistantError, language: str | None
) -> str:
    """Return the message of one of the integration's errors in a conversation's language."""
    strings = await translation.async_get_translations(
        hass, text_language(language), "exceptions", [DOMAIN]
    )
    key = f"component.{DOMAIN}.exceptions.{err.translation_key}.message"
    template = strings.get(key)
    return (
        template.format(**(err.translation_placeholders or {}))
        if template
        else str(err)
    )


class CallContactIntentHandler(intent.IntentHandler):
    """Call the contact named in the ``name`` slot, with the contact's own settings.

    Asked by an assistant (Assist's own sentences, custom sentences), only a contact
    whose "Call" button is exposed to it is called, as Home Assistant's intents do; a
    second call to the same contact is refused while the first is going on.
    """

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
            name = await self._async_call(intent_obj, slots[SLOT_NAME]["value"])
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.NO_VALID_TARGETS
                if isinstance(err, ServiceValidationError)
                else intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                await async_error_message(hass, err, intent_obj.language),
            )
            return response
        response.async_set_speech(
            await async_text(hass, intent_obj.language, "calling", name=name)
        )
        return response

    async def _async_call(self, intent_obj: intent.Intent, name: str) -> str:
        """Call the contact named; return its name as written."""
        hass = intent_obj.hass
        entry, contact = find_contact(hass, name, assistant=intent_obj.assistant)
        await async_start_call(entry, resolve_call(entry, {}, contact=contact.data))
        return str(contact.data[CONF_NAME])


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
