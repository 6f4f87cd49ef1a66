"""Tests of fewer status reads while call notifications arrive.

The account follows all its calls; Home Assistant's HTTP API is its own external URL, so
the simulator pushes to the real webhook over HTTP, the calls started through
click-to-dial too (``push_started_calls``). Time moves from timer to timer, and
stands still while a notification is on its way.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.clicktodial.const import (
    CONF_CALL_NOTIFICATIONS,
    CONF_WHOLE_COMPANY,
    CONNECTED_POLL_INTERVAL,
    FIRST_POLL_DELAY,
    PUSHED_CONNECTED_POLL_INTERVAL,
    SETUP_POLL_INTERVAL,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
from simulator import PUSH_LAG, SCENARIOS, Fault, Simulator

from .helpers import start_call, timeline_changes
from .notification_helpers import (
    COLLEAGUE_TARGET,
    account_entry,
    async_setup,
    notification,
    post,
    webhook_path,
)
from .timing import FrozenClock, TimeDriver, block_till_done

SENSOR = "sensor.demo_user_call_status"
LONG = SCENARIOS["long"]
# The end of the ten-minute call, pushed then.
END = LONG[-1][0]


@pytest.fixture
def driver(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> TimeDriver:
    """Move time from timer to timer; wait for the notifications on their way."""

    async def settle(hass: HomeAssistant) -> None:
        await block_till_done(hass)
        await simulator.delivered()
        await block_till_done(hass)

    return TimeDriver(hass, FrozenClock(hass, freezer), settle)


def follow_states(hass: HomeAssistant) -> list[tuple[float, str]]:
    """Record each new state of the call status sensor, with the loop time."""
    seen: list[tuple[float, str]] = []

    def changed(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == SENSOR and (new := event.data["new_state"]):
            seen.append((hass.loop.time(), new.state))

    hass.bus.async_listen("state_changed", changed)
    return seen


def reads(simulator: Simulator) -> list[float]:
    """Return when each status read reached the platform."""
    return [r.at for r in simulator.requests if r.endpoint == "get_call"]


async def push(
    client: TestClient, simulator: Simulator, driver: TimeDriver, body: dict[str, Any]
) -> None:
    """POST a notification to the webhook, as the platform does; run what it made due."""
    status, _ = await post(client, webhook_path(simulator), body)
    assert status == 200
    await driver.run_for(0)


async def start_long_call(hass: HomeAssistant, simulator: Simulator) -> float:
    """Start the ten-minute call; return when the platform started it."""
    simulator.script_next_call(LONG)
    call_id = await start_call(hass)
    return simulator.calls[call_id].started_at


async def test_ten_minute_call_with_notifications(
    hass: HomeAssistant, client: TestClient, simulator: Simulator, driver: TimeDriver
) -> None:
    """A pushed ten-minute call costs at most 40 reads; its end is seen at the push."""
    simulator.push_started_calls = True
    await async_setup(hass, account_entry(simulator))
    seen = follow_states(hass)

    started = await start_long_call(hass, simulator)
    await driver.run_until(started + END + 60)

    pushed = [d.body["status"] for d in simulator.deliveries]
    assert pushed == ["ringing", "in-progress", "ended"]
    assert {d.status for d in simulator.deliveries} == {200}
    expected = timeline_changes(LONG)
    assert [state for _, state in seen] == [status.value for _, status in expected]
    for (at, status), (seen_at, _) in zip(expected[1:], seen[1:], strict=True):
        # Set-up changes within 1.5 s as ever; the end within 1 s of its push.
        limit = 1.0 if status.is_terminal else 1.5
        assert 0 <= seen_at - started - at <= limit, (status, seen_at - started)
    made = reads(simulator)
    assert len(made) <= 40
    # The conversation is read every 30 s; its end was seen at the push, not by a read.
    talking = [at - started for at in made if LONG[-2][0] + 1 < at - started < END]
    assert talking
    gaps = [b - a for a, b in pairwise(talking)]
    assert min(gaps) == pytest.approx(PUSHED_CONNECTED_POLL_INTERVAL)
    assert made[-1] - started == pytest.approx(END + PUSH_LAG, abs=1e-5)
    # The end was the last read: nothing is asked afterwards.
    await driver.run_for(600)
    assert len(reads(simulator)) == len(made)


@pytest.mark.parametrize("notifications", [False, True])
async def test_without_pushes_nothing_changes(
    hass: HomeAssistant,
    client: TestClient,
    simulator: Simulator,
    driver: TimeDriver,
    notifications: bool,
) -> None:
    """Without pushed events (the option off, or nothing pushed) the reads are as ever.

    Each second while the call is set up, every 2 s once connected: 311 reads for the
    ten-minute call, its end seen within 3 s.
    """
    await async_setup(hass, account_entry(simulator, notifications=notifications))
    seen = follow_states(hass)

    started = await start_long_call(hass, simulator)
    await driver.run_until(started + END + 60)

    setup = [FIRST_POLL_DELAY + i * SETUP_POLL_INTERVAL for i in range(10)]
    connected = setup[-1] + SETUP_POLL_INTERVAL
    talk = [connected + i * CONNECTED_POLL_INTERVAL for i in range(301)]
    made = [at - started for at in reads(simulator)]
    # Moved time lands on the first whole microsecond of each timer: reads are where
    # planned, whatever the start time (a read a microsecond late would push the rest).
    assert made == pytest.approx(setup + talk, abs=1e-6)
    assert seen[-1][1] == "disconnected"
    assert 0 <= seen[-1][0] - started - END <= 3
    assert simulator.deliveries == []


async def test_push_reads_followed_calls_at_once(
    hass: HomeAssistant, client: TestClient, simulator: Simulator, driver: TimeDriver
) -> None:
    """A pushed event reads the followed calls at once; a repeat or no call, nothing.

    A conversation is read every 30 s once an event of its own number was pushed (its end
    will be); another call's event leaves it read every 2 s.
    """
    await async_setup(hass, account_entry(simulator))

    # Nothing is followed: a pushed call asks nothing.
    await push(client, simulator, driver, notification("ringing", "other"))
    assert reads(simulator) == []

    started = await start_long_call(hass, simulator)
    await driver.run_until(started + 20.2)
    before = reads(simulator)
    assert before[-1] - started == pytest.approx(20.5 - CONNECTED_POLL_INTERVAL)

    await push(client, simulator, driver, notification("in-progress", "other"))
    assert reads(simulator) == [*before, hass.loop.time()]
    # The same event again changes nothing, and reads nothing.
    await push(client, simulator, driver, notification("in-progress", "other"))
    assert len(reads(simulator)) == len(before) + 1
    # Another call's event: the conversation is still read every 2 s.
    pushed_at = hass.loop.time()
    await driver.run_for(CONNECTED_POLL_INTERVAL + 0.1)
    assert reads(simulator)[-1] == pytest.approx(pushed_at + CONNECTED_POLL_INTERVAL)

    # An event of the call's own number (written nationally, Home Assistant being in the
    # Netherlands): from then on read every 30 s.
    await hass.config.async_update(country="NL")
    count = len(reads(simulator))
    own = notification("ringing", "own", direction="outbound", caller="201")
    own["destination"]["number"] = "0508009899"
    await push(client, simulator, driver, own)
    pushed_at = hass.loop.time()
    assert reads(simulator)[count:] == [pushed_at]
    await driver.run_until(pushed_at + 2 * PUSHED_CONNECTED_POLL_INTERVAL + 0.5)
    later = [at - pushed_at for at in reads(simulator)[count + 1 :]]
    assert later == pytest.approx(
        [PUSHED_CONNECTED_POLL_INTERVAL, 2 * PUSHED_CONNECTED_POLL_INTERVAL]
    )


async def test_push_waits_for_rate_limit(
    hass: HomeAssistant, client: TestClient, simulator: Simulator, driver: TimeDriver
) -> None:
    """A push while the account is rate limited reads nothing before the pause ends."""
    await async_setup(hass, account_entry(simulator))
    started = await start_long_call(hass, simulator)
    await driver.run_until(started + 20.2)

    simulator.inject("get_call", Fault.rate_limited("60"))
    await push(client, simulator, driver, notification("in-progress", "other"))
    limited_at = hass.loop.time()
    assert reads(simulator)[-1] == limited_at  # answered 429: paused for 60 s
    count = len(reads(simulator))

    await driver.run_for(10)
    await push(
        client, simulator, driver, notification("ended", "other", reason="completed")
    )
    await driver.run_until(limited_at + 59.9)
    assert len(reads(simulator)) == count

    await driver.run_until(limited_at + 61)
    assert reads(simulator)[count] == pytest.approx(limited_at + 60)


@pytest.mark.parametrize("history", [True, False])
async def test_pushed_end_reads_the_history(
    hass: HomeAssistant,
    client: TestClient,
    simulator: Simulator,
    driver: TimeDriver,
    history: bool,
) -> None:
    """5 s after a pushed call ends, the call history is read; its other events read none.

    An account without a call list reads none.
    """
    if not history:
        simulator.inject("call_history_v2", Fault.http(404))
        simulator.inject("call_history_v1", Fault.http(404))
    await async_setup(hass, account_entry(simulator))
    before = len(history_reads(simulator))

    await push(client, simulator, driver, notification("ringing"))
    await push(client, simulator, driver, notification("in-progress"))
    await driver.run_for(60)
    assert len(history_reads(simulator)) == before

    await push(client, simulator, driver, notification("ended", reason="completed"))
    ended_at = hass.loop.time()
    await driver.run_for(60)
    made = history_reads(simulator)[before:]
    if history:
        assert made == [pytest.approx(ended_at + 5, abs=1)]
    else:
        assert made == []


async def test_whole_company_reads_the_history_after_own_calls(
    hass: HomeAssistant, client: TestClient, simulator: Simulator, driver: TimeDriver
) -> None:
    """With the whole company followed, only the user's own calls read the history.

    Colleagues' calls ending read nothing; one of the user's, 5 s later; more of theirs
    ending back to back, at most once a minute.
    """
    entry = account_entry(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_CALL_NOTIFICATIONS: True, CONF_WHOLE_COMPANY: True}
    )
    await async_setup(hass, entry)
    before = len(history_reads(simulator))

    for call in range(10):
        colleague = f"colleague-{call}"
        await push(
            client,
            simulator,
            driver,
            notification("ringing", colleague, targets=[COLLEAGUE_TARGET]),
        )
        await push(
            client,
            simulator,
            driver,
            notification("ended", colleague, reason="no-answer", targets=[]),
        )
        await driver.run_for(30)
    assert history_reads(simulator)[before:] == []

    ends: list[float] = []
    for call in range(3):
        await push(client, simulator, driver, notification("ringing", f"mine-{call}"))
        await push(
            client,
            simulator,
            driver,
            notification("ended", f"mine-{call}", reason="completed", targets=[]),
        )
        ends.append(hass.loop.time())
        await driver.run_for(20)
    await driver.run_for(120)

    assert history_reads(simulator)[before:] == [
        pytest.approx(ends[0] + 5),
        pytest.approx(ends[0] + 5 + 60),
    ]


def history_reads(simulator: Simulator) -> list[float]:
    """Return when the call history was read."""
    return [
        r.at
        for r in simulator.requests
        if r.endpoint in ("call_history_v2", "call_history_v1")
    ]
