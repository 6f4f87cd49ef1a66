"""Tests of the ClickToDialCallContact intent, directly and through custom sentences.

Assist's own sentences ("call Alice") are tested in test_voice.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from simulator import Fault, Simulator

from .conftest import SECOND_EMAIL
from .contact_helpers import ALICE, BOB, exception_message, set_up, with_contacts

# The slot is "name", but the list is "contact": the default agent's own list "name"
# holds the names of the exposed entities. Other words than the integration's own
# sentences ("call", "bel"), which are matched before any intent.
CUSTOM_SENTENCES = {
    "en": "language: en\n"
    "intents:\n"
    "  ClickToDialCallContact:\n"
    "    data:\n"
    "      - sentences:\n"
    '          - "ring {contact:name}"\n'
    "lists:\n"
    "  contact:\n"
    "    wildcard: true\n",
    "nl": "language: nl\n"
    "intents:\n"
    "  ClickToDialCallContact:\n"
    "    data:\n"
    "      - sentences:\n"
    '          - "telefoneer [met] {contact:name}"\n'
    "lists:\n"
    "  contact:\n"
    "    wildcard: true\n",
}


# The clock stands still, so no status poll runs between a call and its checks.
pytestmark = [
    pytest.mark.freeze_time,
    # Custom sentences in English and Dutch in the config dir.
    pytest.mark.hass_config(
        files={
            f"custom_sentences/{language}/clicktodial.yaml": sentences
            for language, sentences in CUSTOM_SENTENCES.items()
        }
    ),
]


@pytest.fixture
async def contacts(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Set up one account with the contacts Alice and Bob."""
    await set_up(hass, with_contacts(mock_config_entry, ALICE, BOB))


async def handle(
    hass: HomeAssistant, name: str, language: str
) -> intent.IntentResponse:
    """Handle the intent for a name in a language."""
    return await intent.async_handle(
        hass,
        "test",
        "ClickToDialCallContact",
        {"name": {"value": name}},
        language=language,
    )


@pytest.mark.usefixtures("contacts")
@pytest.mark.parametrize(
    ("name", "language", "speech"),
    [
        ("Alice", "en", "Calling Alice"),
        (" alice ", "en", "Calling Alice"),
        ("ALICE", "en-GB", "Calling Alice"),
        ("alice", "nl", "Ik bel Alice"),
        ("Alice", "nl-BE", "Ik bel Alice"),
        ("Alice", "de", "Calling Alice"),
    ],
)
async def test_call_contact(
    hass: HomeAssistant, simulator: Simulator, name: str, language: str, speech: str
) -> None:
    """The intent calls the contact and says so in the conversation's language."""
    response = await handle(hass, name, language)

    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert response.speech["plain"]["speech"] == speech
    assert response.language == language
    assert simulator.count("start_call") == 1
    assert simulator.requests[-1].body == {"b_number": "+31508009899"}


@pytest.mark.usefixtures("contacts")
@pytest.mark.parametrize(
    ("language", "speech"),
    [
        ("en", "No contact is named Carol."),
        ("nl", "Er is geen contact met de naam Carol."),
    ],
)
async def test_unknown_contact(
    hass: HomeAssistant, simulator: Simulator, language: str, speech: str
) -> None:
    """An unknown name gets an error response in the language, and no call."""
    response = await handle(hass, " Carol", language)

    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert response.speech["plain"]["speech"] == speech
    assert simulator.count("start_call") == 0


@pytest.mark.parametrize(
    ("language", "speech"),
    [
        (
            "en",
            "Several accounts have a contact named Alice: Demo User, Second User. "
            "Choose the account to call from.",
        ),
        (
            "nl",
            "Meerdere accounts hebben een contact met de naam Alice: Demo User, "
            "Second User. Kies het account waarmee je belt.",
        ),
    ],
)
async def test_ambiguous_contact(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
    language: str,
    speech: str,
) -> None:
    """A name in two accounts gets an error response naming both, and no call."""
    await set_up(
        hass,
        with_contacts(mock_config_entry, ALICE),
        with_contacts(second_entry, {**ALICE, "number": "+31508009000"}, BOB),
    )

    response = await handle(hass, "alice", language)

    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert response.speech["plain"]["speech"] == speech
    assert simulator.count("start_call") == 0

    # A name in one of the accounts is called from that account.
    response = await handle(hass, "Bob", language)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert simulator.requests[-1].email == SECOND_EMAIL


@pytest.mark.usefixtures("contacts")
@pytest.mark.parametrize("language", ["en", "nl"])
async def test_platform_refuses(
    hass: HomeAssistant, simulator: Simulator, language: str
) -> None:
    """A call the platform refuses gets an error response in its words."""
    simulator.inject(
        "start_call", Fault.http(400, "Extensions or phonenumbers not valid")
    )

    response = await handle(hass, "Alice", language)

    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.FAILED_TO_HANDLE
    assert response.speech["plain"]["speech"] == exception_message(
        language, "call_rejected", message="Extensions or phonenumbers not valid"
    )
    assert simulator.count("start_call") == 1


@pytest.mark.usefixtures("contacts")
@pytest.mark.parametrize(
    "slots", [{}, {"name": {"value": "  "}}], ids=["none", "blank"]
)
async def test_name_required(
    hass: HomeAssistant, simulator: Simulator, slots: dict[str, Any]
) -> None:
    """The intent needs a name."""
    with pytest.raises(intent.InvalidSlotInfo):
        await intent.async_handle(hass, "test", "ClickToDialCallContact", slots)

    assert simulator.count("start_call") == 0


async def test_registered_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The intent is registered at setup, and Home Assistant's intent platform keeps it."""
    await set_up(hass, mock_config_entry)
    handlers = [
        handler
        for handler in intent.async_get(hass)
        if handler.intent_type == "ClickToDialCallContact"
    ]
    assert len(handlers) == 1

    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()

    assert [
        handler
        for handler in intent.async_get(hass)
        if handler.intent_type == "ClickToDialCallContact"
    ] == handlers
    assert "is being overwritten" not in caplog.text


async def converse(hass: HomeAssistant, text: str, language: str) -> dict[str, Any]:
    """Process a sentence with the default conversation agent; return its response."""
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": language, "agent_id": "conversation.home_assistant"},
        blocking=True,
        return_response=True,
        context=Context(),
    )
    assert result is not None
    response = result["response"]
    assert isinstance(response, dict)
    return response


@pytest.mark.usefixtures("contacts")
async def test_custom_sentences(hass: HomeAssistant, simulator: Simulator) -> None:
    """Custom sentences in English and Dutch call an exposed contact and answer in words."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    for entity_id in ("button.call_alice", "button.call_bob"):
        async_expose_entity(hass, "conversation", entity_id, True)

    response = await converse(hass, "ring alice", "en")
    assert response["response_type"] == "action_done"
    assert response["speech"]["plain"]["speech"] == "Calling Alice"
    assert simulator.requests[-1].body == {"b_number": "+31508009899"}

    response = await converse(hass, "telefoneer met Bob", "nl")
    assert response["response_type"] == "action_done"
    assert response["speech"]["plain"]["speech"] == "Ik bel Bob"
    assert simulator.requests[-1].body == {"b_number": "202"}

    response = await converse(hass, "telefoneer Carol", "nl")
    assert response["response_type"] == "error"
    assert response["speech"]["plain"]["speech"] == (
        "Er is geen contact met de naam Carol."
    )
    assert simulator.count("start_call") == 2


@pytest.mark.usefixtures("contacts")
async def test_custom_sentences_honour_exposure(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Through Assist, a contact whose button is not exposed is not called, nor told of.

    Called without an assistant (an automation's own intent), exposure does not apply,
    as for Home Assistant's own intents.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    async_expose_entity(hass, "conversation", "button.call_bob", True)

    response = await converse(hass, "ring Alice", "en")
    assert response["response_type"] == "error"
    assert response["speech"]["plain"]["speech"] == exception_message(
        "en", "contact_not_found", name="Alice"
    )
    response = await converse(hass, "telefoneer alice", "nl")
    assert response["speech"]["plain"]["speech"] == exception_message(
        "nl", "contact_not_found", name="alice"
    )
    assert simulator.count("start_call") == 0

    response = await handle(hass, "Alice", "en")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert simulator.count("start_call") == 1
