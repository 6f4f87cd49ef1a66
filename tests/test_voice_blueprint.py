"""Tests of the "Call a contact by voice" blueprint, with Home Assistant's default agent."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import Fault, Simulator

from .conftest import SECOND_EMAIL
from .contact_helpers import ALICE, BOB, set_up, with_contacts
from .helpers import BLUEPRINT_DIR, checked_blueprint

BLUEPRINT = BLUEPRINT_DIR / "call_contact_by_voice.yaml"


# The clock stands still, so no status poll runs between a call and its checks.
pytestmark = [pytest.mark.freeze_time, pytest.mark.hass_config(blueprints=True)]


async def set_up_voice(hass: HomeAssistant, **inputs: Any) -> None:
    """Set up the default conversation agent and an automation from the blueprint."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "voice",
                "alias": "Voice",
                "use_blueprint": {
                    "path": f"clicktodial/{BLUEPRINT.name}",
                    "input": inputs,
                },
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("automation.voice").state == "on"


async def converse(hass: HomeAssistant, text: str, language: str) -> dict[str, Any]:
    """Say a sentence to the default conversation agent; return its response."""
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


def speech(response: dict[str, Any]) -> str:
    """Return what the agent says."""
    return str(response["speech"]["plain"]["speech"])


def test_blueprint_file() -> None:
    """The file is a valid automation blueprint, every input declared, used, described."""
    blueprint = checked_blueprint(BLUEPRINT.name, "Call a contact by voice")
    assert set(blueprint.inputs) == {"sentences"}
    sentences = blueprint.inputs["sentences"]
    assert sentences["default"] == ["ring {name}", "telefoneer [met] {name}"]
    # Not the words of the integration's own sentences, or both would call.
    assert not any(
        sentence.startswith(("call ", "phone ", "bel "))
        for sentence in sentences["default"]
    )


@pytest.mark.parametrize(
    ("text", "language", "answer", "number"),
    [
        ("ring Alice", "en", "Calling Alice", "+31508009899"),
        ("Ring alice", "en-GB", "Calling Alice", "+31508009899"),
        ("ring BOB", "en", "Calling Bob", "202"),
        ("telefoneer met alice", "nl", "Ik bel Alice", "+31508009899"),
        ("telefoneer Bob", "nl", "Ik bel Bob", "202"),
        ("telefoneer met bob", "nl-BE", "Ik bel Bob", "202"),
        # The sentences match in any language; the answer is in the conversation's.
        ("ring Bob", "nl", "Ik bel Bob", "202"),
        ("telefoneer met Alice", "en", "Calling Alice", "+31508009899"),
    ],
)
async def test_call_contact_by_voice(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    text: str,
    language: str,
    answer: str,
    number: str,
) -> None:
    """A sentence calls the contact named and answers in words."""
    await set_up(hass, with_contacts(mock_config_entry, ALICE, BOB))
    await set_up_voice(hass)

    response = await converse(hass, text, language)

    assert response["response_type"] == "action_done"
    assert speech(response) == answer
    assert simulator.count("start_call") == 1
    assert simulator.requests[-1].body == {"b_number": number}


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("ring Carol", "en", "Sorry, I could not call Carol"),
        ("telefoneer met Carol", "nl", "Sorry, ik kon Carol niet bellen"),
    ],
)
async def test_unknown_contact(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    text: str,
    language: str,
    answer: str,
) -> None:
    """A name no contact has is answered in words, and nobody is called."""
    await set_up(hass, with_contacts(mock_config_entry, ALICE, BOB))
    await set_up_voice(hass)

    response = await converse(hass, text, language)

    assert speech(response) == answer
    assert simulator.count("start_call") == 0


async def test_ambiguous_and_failed_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> None:
    """A name in two accounts, or a call the platform refuses, is answered in words."""
    await set_up(
        hass,
        with_contacts(mock_config_entry, ALICE),
        with_contacts(second_entry, {**ALICE, "number": "+31508009000"}, BOB),
    )
    await set_up_voice(hass)

    assert speech(await converse(hass, "ring alice", "en")) == (
        "Sorry, I could not call alice"
    )
    assert simulator.count("start_call") == 0

    simulator.inject(
        "start_call", Fault.http(400, "Extensions or phonenumbers not valid")
    )
    assert speech(await converse(hass, "telefoneer bob", "nl")) == (
        "Sorry, ik kon bob niet bellen"
    )
    assert simulator.count("start_call") == 1

    assert speech(await converse(hass, "telefoneer bob", "nl")) == "Ik bel Bob"
    assert simulator.requests[-1].email == SECOND_EMAIL
    assert simulator.count("start_call") == 2


async def test_own_sentences(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The sentences can be replaced by the household's own."""
    await set_up(hass, with_contacts(mock_config_entry, ALICE, BOB))
    await set_up_voice(hass, sentences=["ring {name} (now|please)"])

    assert speech(await converse(hass, "ring Bob please", "en")) == "Calling Bob"
    assert simulator.requests[-1].body == {"b_number": "202"}

    # The default sentences are gone.
    response = await converse(hass, "ring Bob", "en")
    assert response["response_type"] == "error"
    assert simulator.count("start_call") == 1
