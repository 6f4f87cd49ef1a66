"""Tests of calling by voice out of the box: "call Alice" to Assist, in English and Dutch.

Through ``conversation.process`` with Home Assistant's own conversation agent, as Assist
(typed or spoken) uses it: no blueprint, no custom sentences.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import Fault, Simulator

from .contact_helpers import ALICE, BOB, exception_message, set_up, with_contacts
from .helpers import advance

CAROL = {"name": "Carol", "number": "+31508009000", "auto_answer": "platform"}


# The clock stands still, so no status poll runs between a call and its checks.
pytestmark = pytest.mark.freeze_time


async def set_up_assist(hass: HomeAssistant) -> None:
    """Set up Home Assistant's exposure settings and its conversation agent."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()


@pytest.fixture
async def assist(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Set up an account with Alice, Bob and Carol (not exposed), then Assist."""
    await set_up(hass, with_contacts(mock_config_entry, ALICE, BOB, CAROL))
    await set_up_assist(hass)
    expose(hass, "button.call_alice", "button.call_bob")


def expose(hass: HomeAssistant, *entity_ids: str) -> None:
    """Expose entities to Assist."""
    for entity_id in entity_ids:
        async_expose_entity(hass, "conversation", entity_id, True)


async def say(
    hass: HomeAssistant, text: str, language: str = "en", *, expect: str = "action_done"
) -> str:
    """Say a sentence to Home Assistant's conversation agent; return what it answers.

    ``expect`` is the response type: a call started is done, a refusal an error.
    """
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": language, "agent_id": "conversation.home_assistant"},
        blocking=True,
        return_response=True,
        context=Context(),
    )
    assert result is not None
    response: dict[str, Any] = result["response"]
    assert response["response_type"] == expect
    speech = response["speech"]["plain"]["speech"]
    assert isinstance(speech, str)
    return speech


@pytest.mark.usefixtures("assist")
@pytest.mark.parametrize(
    ("sentence", "language", "answer", "number"),
    [
        ("call Alice", "en", "Calling Alice", "+31508009899"),
        ("Call alice", "en", "Calling Alice", "+31508009899"),
        ("phone BOB", "en", "Calling Bob", "202"),
        ("bel Alice", "nl", "Ik bel Alice", "+31508009899"),
        ("bel bob op", "nl", "Ik bel Bob", "202"),
        # The sentence in the other language: the answer in the conversation's.
        ("call alice", "nl", "Ik bel Alice", "+31508009899"),
    ],
)
async def test_call_by_voice(
    hass: HomeAssistant,
    simulator: Simulator,
    sentence: str,
    language: str,
    answer: str,
    number: str,
) -> None:
    """Assist calls an exposed contact and says so, in the conversation's language."""
    assert await say(hass, sentence, language) == answer

    assert simulator.count("start_call") == 1
    assert simulator.requests[-1].body == {"b_number": number}
    assert (
        hass.states.get("sensor.demo_user_call_status").attributes["contact"]
        == (answer.rpartition(" ")[2])
    )


# Names with punctuation, as people write them in their contacts.
DR_BAKKER = {"name": "Dr. Bakker", "number": "+31508009898", "auto_answer": "platform"}
SMITH = {"name": "Smith, John", "number": "+31508009897", "auto_answer": "platform"}
ONEIL = {
    "name": "O\u2019Neil  Jr.",
    "number": "+31508009896",
    "auto_answer": "platform",
}


@pytest.mark.parametrize(
    ("sentence", "language", "answer", "number"),
    [
        ("Call Dr. Bakker", "en", "Calling Dr. Bakker", "+31508009898"),
        ("call dr bakker", "en", "Calling Dr. Bakker", "+31508009898"),
        ("call Smith, John", "en", "Calling Smith, John", "+31508009897"),
        ("call smith  john", "en", "Calling Smith, John", "+31508009897"),
        ("bel Smith, John op", "nl", "Ik bel Smith, John", "+31508009897"),
        ("call O'Neil Jr", "en", "Calling O\u2019Neil  Jr.", "+31508009896"),
    ],
)
async def test_names_with_punctuation(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    sentence: str,
    language: str,
    answer: str,
    number: str,
) -> None:
    """A name is matched as Assist folds text: case, punctuation and spacing aside."""
    await set_up(hass, with_contacts(mock_config_entry, DR_BAKKER, SMITH, ONEIL))
    await set_up_assist(hass)
    expose(hass, *hass.states.async_entity_ids("button"))

    assert await say(hass, sentence, language) == answer

    assert simulator.count("start_call") == 1
    assert simulator.requests[-1].body == {"b_number": number}


@pytest.mark.usefixtures("assist")
@pytest.mark.parametrize("language", ["en", "nl"])
async def test_every_failure_says_why(
    hass: HomeAssistant,
    simulator: Simulator,
    language: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each failure is an error response with its reason, never a generic one.

    Nothing is logged as an error: a refusal is an answer, not a fault.
    """
    word = {"en": "call", "nl": "bel"}[language]
    # No contact has the name.
    assert await say(
        hass, f"{word} Dave", language, expect="error"
    ) == exception_message(language, "contact_not_found", name="Dave")
    # A contact whose button is not exposed to Assist: not told to exist.
    assert await say(
        hass, f"{word} carol", language, expect="error"
    ) == exception_message(language, "contact_not_found", name="carol")
    assert simulator.count("start_call") == 0

    # The platform refuses, in its own words.
    simulator.inject(
        "start_call", Fault.http(400, "Extensions or phonenumbers not valid")
    )
    assert await say(
        hass, f"{word} Alice", language, expect="error"
    ) == exception_message(
        language, "call_rejected", message="Extensions or phonenumbers not valid"
    )
    # The platform asks to slow down.
    simulator.inject("start_call", Fault.rate_limited("30"))
    assert await say(
        hass, f"{word} Alice", language, expect="error"
    ) == exception_message(language, "rate_limited", retry_after="30")
    # The platform cannot be reached.
    simulator.inject("start_call", Fault.http(503, {"detail": "down"}))
    assert await say(
        hass, f"{word} Alice", language, expect="error"
    ) == exception_message(language, "cannot_connect")
    assert simulator.count("start_call") == 3
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Nothing was started, so nothing is followed.
    assert hass.states.get("sensor.demo_user_call_status").state == "unknown"


@pytest.mark.parametrize("language", ["en", "nl"])
async def test_ambiguous_name_says_why(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
    language: str,
) -> None:
    """A name exposed in two accounts is refused naming both accounts."""
    await set_up(
        hass,
        with_contacts(mock_config_entry, ALICE),
        with_contacts(second_entry, {**ALICE, "number": "+31508009000"}),
    )
    await set_up_assist(hass)
    expose(hass, "button.call_alice", "button.call_alice_2")

    assert await say(hass, "call alice", language, expect="error") == exception_message(
        language,
        "contact_ambiguous",
        name="Alice",
        accounts="Demo User, Second User",
    )
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("assist")
async def test_no_second_call_while_the_first_goes_on(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A second "call Alice" while Alice's call goes on is refused, saying why.

    Set up or connected alike; the action refuses it too unless forced. Once the call is
    over, Alice can be called by voice again.
    """
    assert await say(hass, "call Alice") == "Calling Alice"
    await advance(hass, freezer, 3)
    assert hass.states.get("sensor.demo_user_call_status").state == "dialing_a"

    assert await say(hass, "call alice", expect="error") == exception_message(
        "en", "call_in_progress", name="Alice"
    )
    assert await say(hass, "bel Alice op", "nl", expect="error") == exception_message(
        "nl", "call_in_progress", name="Alice"
    )
    assert simulator.count("start_call") == 1
    # Another contact can be called meanwhile.
    assert await say(hass, "call Bob") == "Calling Bob"
    # Connected: still refused.
    await advance(hass, freezer, 12)
    assert hass.states.get("sensor.demo_user_call_status").state == "connected"
    assert await say(hass, "call Alice", expect="error") == exception_message(
        "en", "call_in_progress", name="Alice"
    )
    assert simulator.count("start_call") == 2

    # Both calls end 40 s after their start: Alice can be called again.
    await advance(hass, freezer, 30)
    assert hass.states.get("sensor.demo_user_call_status").state == "disconnected"
    assert await say(hass, "call Alice") == "Calling Alice"
    assert simulator.count("start_call") == 3


@pytest.mark.usefixtures("assist")
async def test_no_second_call_while_the_first_is_sent(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """While the platform has not answered the first "call Alice", a second is refused."""
    release = asyncio.Event()
    simulator.inject("start_call", Fault.held(release))
    first = hass.async_create_task(say(hass, "call Alice"))
    # Until the platform has the request (not block_till_done: the request is held).
    for _ in range(1000):
        if simulator.count("start_call"):
            break
        await asyncio.sleep(0)
    assert simulator.count("start_call") == 1
    assert not first.done()

    assert await say(hass, "call Alice", expect="error") == exception_message(
        "en", "call_in_progress", name="Alice"
    )
    release.set()
    assert await first == "Calling Alice"
    assert simulator.count("start_call") == 1


async def test_assist_set_up_first(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The sentences work whichever is set up first, Assist or the integration."""
    await set_up_assist(hass)
    await set_up(hass, with_contacts(mock_config_entry, ALICE))
    expose(hass, "button.call_alice")

    assert await say(hass, "call Alice") == "Calling Alice"
    assert simulator.count("start_call") == 1


async def test_other_sentences_untouched(
    hass: HomeAssistant, simulator: Simulator, assist: None
) -> None:
    """Sentences that do not start with "call", "phone" or "bel" are not the integration's."""
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen"})
    expose(hass, "light.kitchen")

    answer = await say(hass, "what is the kitchen", expect="query_answer")
    assert "Calling" not in answer
    assert simulator.count("start_call") == 0
