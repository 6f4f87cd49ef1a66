"""Sentences Assist understands out of the box: "call Alice", "bel Alice".

A custom integration cannot add sentences to Home Assistant's built-in intents, and files
under ``<config>/custom_sentences`` belong to the person. What an integration can do is
what an automation does: attach a conversation trigger. Home Assistant's own conversation
agent (and an AI agent that prefers handling commands locally) then hands these sentences
to the intent ``ClickToDialCallContact``, which calls the contact, or says why it cannot:
a refusal is answered as an error response, as Home Assistant's own intents answer.
"""

from __future__ import annotations

from typing import Any, Final

from custom_components.clicktodial.const import DOMAIN, LOGGER
from custom_components.clicktodial.intent import INTENT_CALL_CONTACT, SLOT_NAME
from homeassistant.const import CONF_COMMAND, CONF_PLATFORM
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import intent
from homeassistant.helpers.script import ScriptRunResult
from homeassistant.helpers.trigger import (
    async_initialize_triggers,
    async_validate_trigger_config,
)
from homeassistant.setup import async_when_setup

# Not imported: Home Assistant installs the conversation integration's requirements only
# when it sets it up, and the sentences are only attached once it has.
CONVERSATION_DOMAIN: Final = "conversation"
# Matched in any conversation language: "call" in Dutch is "bel", which no English
# sentence starts with. The answer is in the conversation's language.
SENTENCES: Final = (
    "call {name}",
    "phone {name}",
    "bel {name} [op]",
)


@callback
def async_setup_sentences(hass: HomeAssistant) -> None:
    """Attach the sentences once Home Assistant's conversation integration is set up."""
    async_when_setup(hass, CONVERSATION_DOMAIN, _async_attach)


async def _async_attach(hass: HomeAssistant, _component: str) -> None:
    """Let the conversation agent hand the sentences to the intent."""
    config = await async_validate_trigger_config(
        hass, [{CONF_PLATFORM: CONVERSATION_DOMAIN, CONF_COMMAND: list(SENTENCES)}]
    )

    async def call_contact(
        run_variables: dict[str, Any], context: Context | None = None
    ) -> ScriptRunResult:
        """Handle a sentence as the intent; answer with what the intent says."""
        trigger = run_variables["trigger"]
        user_input = trigger["user_input"]
        asked_in = user_input["context"]
        response = await intent.async_handle(
            hass,
            CONVERSATION_DOMAIN,
            INTENT_CALL_CONTACT,
            {SLOT_NAME: {"value": trigger["slots"][SLOT_NAME]}},
            text_input=user_input["text"],
            context=Context(user_id=asked_in["user_id"], parent_id=asked_in["id"]),
            language=user_input["language"],
            assistant=CONVERSATION_DOMAIN,
            device_id=user_input["device_id"],
            satellite_id=user_input["satellite_id"],
        )
        speech = response.speech["plain"]["speech"]
        if response.response_type is intent.IntentResponseType.ERROR:
            # A trigger can only answer with words; an error raised here is answered
            # by the conversation as an error response, with these words.
            raise intent.IntentHandleError(speech)
        return ScriptRunResult(
            conversation_response=speech,
            service_response=None,
            variables={},
        )

    def log(level: int, message: str, **kwargs: Any) -> None:
        LOGGER.log(level, "%s: %s", "Sentences to call a contact", message, **kwargs)

    await async_initialize_triggers(
        hass, config, call_contact, DOMAIN, "Sentences to call a contact", log
    )
