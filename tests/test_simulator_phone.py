"""Tests of the simulator honouring "Phone that rings", and pushing the calls it starts.

Through Home Assistant, as in the demo: the select chooses the phone, the action calls,
and the simulator pushes to the account's webhook over HTTP.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from simulator import DEFAULT_EMAIL, Simulator, Subscription

from .conftest import SECOND_EMAIL, SECOND_TOKEN
from .helpers import advance
from .notification_helpers import (
    MISSED_CALLS,
    PHONE,
    PHONE_CALLS,
    account_entry,
    async_setup,
    todo_items,
)

SELECT = "select.demo_user_phone_that_rings"
STATUS = "sensor.demo_user_call_status"


@pytest.fixture
async def loaded(
    hass: HomeAssistant, client: TestClient, simulator: Simulator
) -> MockConfigEntry:
    """Set the account up, following all its calls, with pushed started calls."""
    simulator.push_started_calls = True
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    return entry


async def choose(hass: HomeAssistant, option: str) -> None:
    """Choose which phone rings with the select."""
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: SELECT, "option": option},
        blocking=True,
    )


def record(
    hass: HomeAssistant, entity_id: str, attribute: str | None = None
) -> list[Any]:
    """Record an entity's states (or one attribute), as they are written."""
    seen: list[Any] = []

    def changed(event: Event[Any]) -> None:
        if event.data["entity_id"] == entity_id and (new := event.data["new_state"]):
            seen.append(new.attributes.get(attribute) if attribute else new.state)

    hass.bus.async_listen("state_changed", changed)
    return seen


@pytest.mark.usefixtures("loaded")
async def test_not_available_fails_on_your_side(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """With Not available, a call fails on the A side; a phone to ring first still rings."""
    statuses = record(hass, STATUS)
    await choose(hass, "not_available")

    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899"}, blocking=True
    )
    await advance(hass, freezer, 5)

    assert statuses == ["setting_up", "failing_a"]
    # Nothing went out, so nothing was pushed.
    assert simulator.deliveries == []

    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899", "a_number": "202"}, blocking=True
    )
    await advance(hass, freezer, 12)
    assert statuses[-1] == "connected"

    # A phone chosen again: calls ring it.
    await choose(hass, "Desk (201)")
    await advance(hass, freezer, 40)
    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899"}, blocking=True
    )
    await advance(hass, freezer, 12)
    assert statuses[-1] == "connected"


@pytest.mark.usefixtures("loaded")
async def test_not_available_missed_without_ringing(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """With Not available, ``ring`` pushes a missed call that rang no phone.

    Only its end is shown: nothing told it was for the user until it ended unanswered
    without ringing any phone.
    """
    await choose(hass, "not_available")
    events = record(hass, PHONE_CALLS, "event_type")

    await simulator.ring("answered", speed=0)
    await hass.async_block_till_done()

    statuses = [delivery.body["status"] for delivery in simulator.deliveries]
    assert statuses == ["created", "ended"]
    assert simulator.deliveries[-1].body["reason"] == "no-answer"
    assert events == ["missed"]
    assert hass.states.get(PHONE).state == "idle"
    (item,) = await todo_items(hass, MISSED_CALLS)
    assert item["summary"] == "Bakker | Voys (+31612345678)"

    # Available again: the script as it is.
    await choose(hass, "Softphone (202)")
    await simulator.ring("answered", speed=0)
    assert [d.body["status"] for d in simulator.deliveries[2:]] == [
        "created",
        "ringing",
        "ringing",
        "in-progress",
        "ended",
    ]


@pytest.mark.usefixtures("loaded")
async def test_started_calls_pushed_as_outgoing(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call started from Home Assistant is pushed as an outgoing call, as it goes.

    So the Phone sensor shows it: in a call while it is connected.
    """
    phone = record(hass, PHONE)
    events = record(hass, PHONE_CALLS, "event_type")

    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899"}, blocking=True
    )
    await advance(hass, freezer, 5)
    assert simulator.deliveries == []  # your own phone rings first: not pushed
    await advance(hass, freezer, 2)
    assert events == ["outgoing"]
    await advance(hass, freezer, 4)
    assert events == ["outgoing", "answered"]
    assert phone[-1] == "in_call"
    attributes = hass.states.get(PHONE).attributes
    assert attributes["direction"] == "outbound"
    await advance(hass, freezer, 30)

    assert events == ["outgoing", "answered", "ended"]
    assert phone[-1] == "idle"
    bodies = [delivery.body for delivery in simulator.deliveries]
    assert [(body["status"], body["reason"]) for body in bodies] == [
        ("ringing", ""),
        ("in-progress", ""),
        ("ended", "completed"),
    ]
    assert {body["direction"] for body in bodies} == {"outbound"}
    assert {body["destination"]["number"] for body in bodies} == {"+31508009899"}
    assert {body["caller"]["name"] for body in bodies} == {"Demo User"}
    assert len({body["call_id"] for body in bodies}) == 1
    assert hass.states.get(PHONE_CALLS).attributes["reason"] == "completed"


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("number", "pushed"),
    [
        ("+31508009902", [("ringing", ""), ("ended", "no-answer")]),
        ("+31508009901", []),
        ("+31508009904", []),
    ],
    ids=["other_side_not_reached", "own_phone_not_reached", "blocked"],
)
async def test_failed_started_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    number: str,
    pushed: list[tuple[str, str]],
) -> None:
    """Only a call that went out is pushed; not reached, it ends without an answer."""
    await hass.services.async_call(DOMAIN, "call", {"b_number": number}, blocking=True)
    await advance(hass, freezer, 30)

    assert [(d.body["status"], d.body["reason"]) for d in simulator.deliveries] == (
        pushed
    )
    assert hass.states.get(PHONE).state == "idle"
    assert hass.states.get(MISSED_CALLS).state == "0"


async def test_each_account_as_its_phone_rings(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """``ring`` without an account plays to each account as its phone rings."""
    await async_setup(hass, account_entry(simulator))
    second = simulator.add_account(SECOND_EMAIL, SECOND_TOKEN)
    second.selected_phoneaccount = None
    # The second account's subscription (nothing answers there: delivered as None).
    simulator.subscriptions["99"] = Subscription(
        id="99", email=SECOND_EMAIL, target_url="http://127.0.0.1:9/second"
    )

    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()

    def statuses(email: str) -> list[str]:
        return [
            delivery.body["status"]
            for delivery in simulator.deliveries
            if simulator.subscriptions[delivery.subscription_id].email == email
        ]

    assert statuses(DEFAULT_EMAIL) == ["created", "ringing", "ringing", "ended"]
    assert statuses(SECOND_EMAIL) == ["created", "ended"]
    assert hass.states.get(MISSED_CALLS).state == "1"


@pytest.mark.usefixtures("loaded")
async def test_stopped_call_pushes_its_end(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call stopped while the other side rings is pushed as ended then, not answered."""
    events = record(hass, PHONE_CALLS, "event_type")
    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899"}, blocking=True
    )
    await advance(hass, freezer, 7)
    assert events == ["outgoing"]

    await hass.services.async_call(DOMAIN, "hang_up", {}, blocking=True)
    await advance(hass, freezer, 40)

    assert events == ["outgoing", "ended"]
    assert [(d.body["status"], d.body["reason"]) for d in simulator.deliveries] == [
        ("ringing", ""),
        ("ended", "completed"),
    ]
    assert hass.states.get(STATUS).state == "disconnected"
    assert hass.states.get(PHONE).state == "idle"
