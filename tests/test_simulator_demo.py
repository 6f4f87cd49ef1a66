"""Tests of what the simulator lets a person show in the demo.

Phones taken offline and online, a call that rings only a colleague's phone, and pushed
calls that reach the call history: through the simulator's own API and commands, and once
through Home Assistant (the missed calls counted agree with the Missed calls list).
"""

from __future__ import annotations

import aiohttp
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, NOTIFICATION_SCRIPTS, Simulator
from simulator.__main__ import parse_phone_args, phone

from .helpers import state
from .notification_helpers import (
    account_entry,
    async_setup,
    reachable_home_assistant,
    todo_items,
)
from .timing import TimeDriver

HEADERS = {"Authorization": f"Token {DEFAULT_EMAIL}:{DEFAULT_TOKEN}"}
MISSED_TODAY = "sensor.demo_user_missed_calls_today"
CALLS_TODAY = "sensor.demo_user_calls_today"
# 13:00 in Amsterdam: the whole test is on one day.
FROZEN = "2026-11-26 12:00:00+00:00"


async def online(simulator: Simulator) -> dict[str, bool]:
    """Return which phone accounts the platform lists as registered, by description."""
    async with (
        aiohttp.ClientSession(headers=HEADERS) as session,
        session.get(
            f"{simulator.url}/api/phoneaccount/basic/phoneaccount/"
        ) as response,
    ):
        objects = (await response.json())["objects"]
    return {
        record["description"]: record["sipreginfo"] is not None for record in objects
    }


async def test_phone_command_takes_phones_offline_and_online(
    hass: HomeAssistant, simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m simulator phone offline Desk`` changes the list's ``sipreginfo``."""
    assert await online(simulator) == {
        "Desk": True,
        "Reception": True,
        "Sales": True,
        "Softphone": False,
    }

    for argv in (
        ["offline", "desk"],
        ["offline", "Reception"],
        ["online", "102", "--email", DEFAULT_EMAIL],
    ):
        args = parse_phone_args([*argv, "--url", simulator.url])
        assert await hass.async_add_executor_job(phone, args) == 0

    assert await online(simulator) == {
        "Desk": False,
        "Reception": False,
        "Sales": True,
        "Softphone": True,
    }
    out = capsys.readouterr().out
    assert "Desk is offline for 1 account(s)" in out
    assert "Softphone is online for 1 account(s)" in out

    args = parse_phone_args(["online", "Reception", "--url", simulator.url])
    assert await hass.async_add_executor_job(phone, args) == 0
    assert (await online(simulator))["Reception"] is True


async def test_phone_command_refusals(
    hass: HomeAssistant, simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown phone or a bad body is refused; an unreachable simulator is said."""
    args = parse_phone_args(["offline", "Kitchen", "--url", simulator.url])
    assert await hass.async_add_executor_job(phone, args) == 1
    assert "no phone 'Kitchen'" in capsys.readouterr().err

    async with aiohttp.ClientSession() as session:
        for bad in ({"phone": "Desk"}, {"phone": [1], "online": True}, [1]):
            async with session.post(
                f"{simulator.url}/simulator/phone", json=bad
            ) as response:
                assert response.status == 400
        async with session.post(
            f"{simulator.url}/simulator/phone", data=b"{"
        ) as response:
            assert response.status == 400

    args = parse_phone_args(["online", "Desk", "--url", "http://127.0.0.1:9"])
    assert await hass.async_add_executor_job(phone, args) == 1
    assert "Cannot reach the simulator" in capsys.readouterr().err


async def test_colleague_script_rings_only_a_colleague(simulator: Simulator) -> None:
    """The ``colleague`` script names only the Reception phone, none of the user's."""
    steps = simulator.notifications("colleague")

    targets = [
        target["user_numbers"]
        for _, body in steps
        for target in body["destination"]["targets"]
    ]
    assert targets == [["200"]]
    own = {
        str(p["internal_number"])
        for p in simulator.accounts[DEFAULT_EMAIL].phone_accounts
    }
    assert not own & {"200"}
    assert steps[-1][1]["reason"] == "no-answer"


@pytest.mark.freeze_time(FROZEN)
async def test_pushed_calls_reach_the_history(simulator: Simulator) -> None:
    """Each pushed call of the user's phones is listed once, as the platform lists it."""
    simulator.history.scripted = False

    await simulator.ring("missed", email=DEFAULT_EMAIL, speed=0)
    await simulator.ring("answered", email=DEFAULT_EMAIL, speed=0)
    await simulator.ring("answered_elsewhere", email=DEFAULT_EMAIL, speed=0)
    await simulator.ring("duplicates", email=DEFAULT_EMAIL, speed=0)
    await simulator.ring("outgoing", email=DEFAULT_EMAIL, speed=0)
    await simulator.ring("colleague", email=DEFAULT_EMAIL, speed=0)
    await simulator.ring("missed", email="nobody@example.com", speed=0)

    listed = [
        (c.direction, c.answered, c.answered_elsewhere, c.duration, c.number, c.name)
        for c in simulator.history.calls(DEFAULT_EMAIL)
    ]
    assert sorted(listed) == sorted(
        [
            ("inbound", False, False, 0, "+31612345678", "Bakker | Voys"),
            ("inbound", True, False, 24, "+31612345678", "Bakker | Voys"),
            ("inbound", False, True, 0, "+31612345678", "Bakker | Voys"),
            ("inbound", True, False, 5, "+31612345678", "Bakker | Voys"),
            ("outbound", True, False, 16, "+31508009899", None),
        ]
    )
    record = simulator.history.calls(DEFAULT_EMAIL)[0].v2()
    assert record["start_time"] == "2026-11-26T13:00:00+01:00"
    assert record["from"]["voip_account"] is not None
    assert simulator.history.add_pushed(DEFAULT_EMAIL, []) is None
    assert {script.mine for script in NOTIFICATION_SCRIPTS.values()} == {True, False}


@pytest.mark.freeze_time(FROZEN)
async def test_missed_calls_today_agrees_with_the_list(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: Simulator,
    driver: TimeDriver,
) -> None:
    """After pushed calls, "Missed calls today" counts what the Missed calls list holds."""
    await hass.config.async_update(time_zone="Europe/Amsterdam")
    await reachable_home_assistant(hass, hass_client_no_auth)
    simulator.history.scripted = False
    await async_setup(hass, account_entry(simulator))
    assert state(hass, MISSED_TODAY) == "0"

    for script in (
        "missed",
        "answered",
        "cancelled",
        "colleague",
        "answered_elsewhere",
    ):
        await simulator.ring(script, speed=0)
    await driver.run_for(120)

    items = await todo_items(hass)
    assert len(items) == 2
    assert state(hass, MISSED_TODAY) == str(len(items))
    assert state(hass, CALLS_TODAY) == "4"
