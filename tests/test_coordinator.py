"""Tests of call tracking: the polling contract, platform faults and restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from itertools import pairwise
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed_exact,
)

from custom_components.clicktodial.const import DOMAIN
from custom_components.clicktodial.voipgrid import CallStatus
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from simulator import SCENARIOS, Fault, Simulator

from .conftest import ACCOUNT_UUID
from .helpers import advance, start_call, timeline_changes
from .timing import FrozenClock, TimeDriver, block_till_done

SENSOR = "sensor.demo_user_call_status"
EVENT = "event.demo_user_call"

CALL_ENDPOINTS = ("profile", "start_call", "get_call")

SETUP_STATUSES = {
    CallStatus.SETTING_UP,
    CallStatus.DIALING_A,
    CallStatus.CONFIRM,
    CallStatus.DIALING_B,
}


async def follow(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    entity_id: str = SENSOR,
) -> list[tuple[float, str]]:
    """Move time in 0.1 s steps; return when the entity's state changed, and to what."""
    origin = hass.loop.time()
    seen: list[tuple[float, str]] = [(0.0, hass.states.get(entity_id).state)]
    steps = round(seconds * 10)
    for _ in range(steps):
        await advance(hass, freezer, 0.1)
        state = hass.states.get(entity_id).state
        if state != seen[-1][1]:
            seen.append((round(hass.loop.time() - origin, 3), state))
    return seen


async def until(predicate: Callable[[], bool]) -> None:
    """Let the event loop run (without moving time) until ``predicate`` holds."""
    for _ in range(10_000):
        if predicate():
            return
        await asyncio.sleep(0)
    pytest.fail("condition not reached")


def call_requests(simulator: Simulator) -> int:
    """Count the requests about calls (which phone rings is read on its own schedule)."""
    return sum(simulator.count(endpoint) for endpoint in CALL_ENDPOINTS)


async def test_no_requests_while_idle(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """Nothing about calls is asked while no call is tracked, before or after.

    Only which phone rings is read: at set-up, then every 5 minutes.
    """
    assert call_requests(simulator) == 1  # the credential check at set-up
    assert simulator.count("get_destinations") == 1
    # From timer to timer (fixed steps would delay each read to the next step), and a
    # minute more than the hour: the coordinator adds a fraction of a second to each
    # interval, so the twelfth read comes just after the hour.
    await TimeDriver(hass, FrozenClock(hass, freezer), block_till_done).run_for(3660)
    assert call_requests(simulator) == 1
    assert simulator.count("get_destinations") == 1 + 12

    await start_call(hass, "+31508009904")  # blacklisted after 1 s
    await advance(hass, freezer, 5)
    assert hass.states.get(SENSOR).state == "blacklisted"
    after_call = call_requests(simulator)
    await advance(hass, freezer, 3600, step=60)
    assert call_requests(simulator) == after_call


@pytest.mark.parametrize(
    "scenario", ["normal", "failed_a", "failed_b", "confirm", "blacklisted", "long"]
)
@pytest.mark.usefixtures("init_integration")
async def test_status_changes_seen_in_time(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    scenario: str,
) -> None:
    """Set-up changes are seen within 1.5 s, the end of a conversation within 3 s."""
    timeline = SCENARIOS[scenario]
    simulator.script_next_call(timeline)
    await start_call(hass)
    seen = await follow(hass, freezer, timeline[-1][0] + 5)

    get_calls = [r for r in simulator.requests if r.endpoint == "get_call"]
    started = next(r for r in simulator.requests if r.endpoint == "start_call")
    assert get_calls[0].at - started.at <= 1.0
    expected = [(at, status.value) for at, status in timeline_changes(timeline)]
    assert [state for _, state in seen] == [state for _, state in expected]
    after_connected = False
    for (expected_at, state), (seen_at, _) in zip(expected[1:], seen[1:], strict=True):
        # Set-up changes are seen within 1.5 s; the end of a conversation within 3 s.
        limit = 3.0 if after_connected else 1.5
        after_connected = state == "connected"
        assert 0 <= seen_at - expected_at <= limit, (state, seen_at, expected_at)

    # Tracking stopped with the end: no further request.
    requests = call_requests(simulator)
    await advance(hass, freezer, 600, step=10)
    assert call_requests(simulator) == requests


@pytest.mark.usefixtures("init_integration")
async def test_polls_per_call(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A normal 30 s call costs one read a second while set up, one per 2 s after."""
    await start_call(hass)
    await follow(hass, freezer, 50)
    # 10 s of set-up at 1/s and 30 s of conversation at 1/2 s.
    assert 24 <= simulator.count("get_call") <= 27


@pytest.mark.usefixtures("init_integration")
async def test_event_entity_fires_each_change(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """The event entity fires once per status change, with the call's attributes."""
    events: list[dict[str, Any]] = []

    def _record(event: Any) -> None:
        new = event.data["new_state"]
        if (
            new is not None
            and new.entity_id == EVENT
            and new.attributes.get("event_type")
        ):
            events.append(dict(new.attributes))

    hass.bus.async_listen("state_changed", _record)
    call_id = await start_call(hass, "+31508009903")  # confirm scenario
    await advance(hass, freezer, 50, step=0.5)

    assert [event["event_type"] for event in events] == [
        "setting_up",
        "dialing_a",
        "confirm",
        "dialing_b",
        "connected",
        "disconnected",
    ]
    assert [event["previous_status"] for event in events] == [
        None,
        "setting_up",
        "dialing_a",
        "confirm",
        "dialing_b",
        "connected",
    ]
    assert {event["call_id"] for event in events} == {call_id}
    assert {event["b_number"] for event in events} == {"+31508009903"}


@pytest.mark.usefixtures("init_integration")
async def test_overlapping_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Several calls at once are all followed, one read per call per poll."""
    events: list[tuple[str, str]] = []

    def _record(event: Any) -> None:
        new = event.data["new_state"]
        if (
            new is not None
            and new.entity_id == EVENT
            and new.attributes.get("event_type")
        ):
            events.append((new.attributes["call_id"], new.attributes["event_type"]))

    hass.bus.async_listen("state_changed", _record)
    first = await start_call(hass, "+31508009899")
    await advance(hass, freezer, 3)
    second = await start_call(hass, "+31508009902")  # fails on the B side
    await advance(hass, freezer, 3)
    third = await start_call(hass, "202")
    await advance(hass, freezer, 60, step=0.5)

    for call_id, last in (
        (first, "disconnected"),
        (second, "failing_b"),
        (third, "disconnected"),
    ):
        statuses = [status for cid, status in events if cid == call_id]
        assert statuses[0] == "setting_up"
        assert statuses[-1] == last
        assert len(statuses) == len(set(statuses))  # each change fired once
    # The sensor follows the latest call.
    state = hass.states.get(SENSOR)
    assert state.attributes["call_id"] == third
    assert state.state == "disconnected"
    # Never more than one read per tracked call in any second.
    reads: dict[int, int] = {}
    for request in simulator.requests:
        if request.endpoint == "get_call":
            second_bucket = int(request.at)
            reads[second_bucket] = reads.get(second_bucket, 0) + 1
    assert max(reads.values()) <= 3


async def test_calls_on_two_accounts(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    init_second_integration: MockConfigEntry,
) -> None:
    """Each account follows its own calls."""
    await start_call(hass, "+31508009899", config_entry_id=init_integration.entry_id)
    await start_call(
        hass, "+31508009902", config_entry_id=init_second_integration.entry_id
    )
    await advance(hass, freezer, 60, step=0.5)

    assert hass.states.get(SENSOR).state == "disconnected"
    assert hass.states.get("sensor.second_user_call_status").state == "failing_b"
    paths = {
        (request.email, request.path)
        for request in simulator.requests
        if request.endpoint == "get_call"
    }
    assert {email for email, _ in paths} == {"demo@example.com", "second@example.com"}


@pytest.mark.usefixtures("init_integration")
async def test_not_found_stops_tracking(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call the platform no longer knows is given up; its state stays."""
    call_id = await start_call(hass)
    await advance(hass, freezer, 3)
    assert hass.states.get(SENSOR).state == "dialing_a"
    del simulator.calls[call_id]
    await advance(hass, freezer, 2)
    requests = call_requests(simulator)
    await advance(hass, freezer, 120, step=1)
    assert call_requests(simulator) == requests
    state = hass.states.get(SENSOR)
    assert state.state == "dialing_a"
    assert state.attributes["tracking"] is False


@pytest.mark.usefixtures("init_integration")
async def test_stuck_call_given_up(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A call whose set-up does not move for 5 minutes is given up with a warning."""
    call_id = await start_call(hass, "+31508009905")
    await advance(hass, freezer, 4 * 60, step=1)
    assert hass.states.get(SENSOR).attributes["tracking"] is True
    await advance(hass, freezer, 70, step=1)
    state = hass.states.get(SENSOR)
    assert state.state == "dialing_a"
    assert state.attributes["tracking"] is False
    assert f"Call {call_id} has been dialing_a" in caplog.text
    requests = call_requests(simulator)
    await advance(hass, freezer, 600, step=10)
    assert call_requests(simulator) == requests


@pytest.mark.usefixtures("init_integration")
async def test_unknown_status_keeps_state(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An undocumented status keeps the previous state and is logged once."""
    seen = []
    await start_call(hass, "+31508009907")
    for _ in range(30):
        await advance(hass, freezer, 0.5)
        seen.append(hass.states.get(SENSOR).state)
    assert "ringing_somewhere" not in seen
    assert seen[-1] == "disconnected"
    assert caplog.text.count("unknown call status: ringing_somewhere") == 1
    assert "connected" in seen


@pytest.mark.usefixtures("init_integration")
async def test_call_ended_at_start_not_tracked(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call the platform reports ended in its first answer is not polled."""
    simulator.script_next_call(((0, "blacklisted"),))
    response = await hass.services.async_call(
        DOMAIN, "call", {"b_number": "0508009899"}, blocking=True, return_response=True
    )
    assert response is not None
    assert response["status"] == "blacklisted"
    await advance(hass, freezer, 10)
    assert simulator.count("get_call") == 0
    assert hass.states.get(SENSOR).state == "blacklisted"
    assert hass.states.get(EVENT).attributes["event_type"] == "blacklisted"


@pytest.mark.usefixtures("init_integration")
async def test_rate_limit_pauses_polling(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A 429 pauses all polling of the account for Retry-After seconds."""
    assert await async_setup_component(hass, "homeassistant", {})
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    await start_call(hass)
    await advance(hass, freezer, 1)
    simulator.inject("get_call", Fault.rate_limited("30"))
    before = len(simulator.requests)
    await advance(hass, freezer, 1.5)
    limited_at = simulator.requests[before].at
    paused_from = len(simulator.requests)

    # Asking for an update does not bypass the pause either.
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": SENSOR}, blocking=True
    )
    await advance(hass, freezer, 27)
    assert len(simulator.requests) == paused_from
    assert hass.states.get(SENSOR).state != STATE_UNAVAILABLE
    await advance(hass, freezer, 5)
    resumed = [request.at for request in simulator.requests[paused_from:]]
    assert resumed
    assert min(resumed) - limited_at >= 30
    assert min(resumed) - limited_at >= 30


@pytest.mark.usefixtures("init_integration")
async def test_rate_limited_start_pauses_polling(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A 429 to starting a call pauses the account's status reads too."""
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    await advance(hass, freezer, 1)
    simulator.inject("start_call", Fault.rate_limited("30"))
    with pytest.raises(HomeAssistantError):
        await start_call(hass, "202")
    paused_from = len(simulator.requests)
    await advance(hass, freezer, 29)
    assert len(simulator.requests) == paused_from
    await advance(hass, freezer, 3)
    assert simulator.count("get_call") > 1


@pytest.mark.usefixtures("init_integration")
async def test_errors_back_off_then_unavailable(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """Failed reads back off; entities go unavailable only after 60 s of failures."""
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    await advance(hass, freezer, 12)
    assert hass.states.get(SENSOR).state == "connected"

    simulator.inject("get_call", Fault.http(500, {"detail": "boom"}), times=3)
    simulator.inject("get_call", Fault.malformed(), times=2)
    simulator.inject("get_call", Fault.connection_reset(), times=2)
    simulator.inject("get_call", Fault.http(502), times=100)
    failing_from = len(simulator.requests)
    await advance(hass, freezer, 55, step=0.5)
    assert hass.states.get(SENSOR).state == "connected"
    assert hass.states.get(EVENT).state != STATE_UNAVAILABLE
    await advance(hass, freezer, 15, step=0.5)
    assert hass.states.get(SENSOR).state == STATE_UNAVAILABLE
    assert hass.states.get(EVENT).state == STATE_UNAVAILABLE

    times = [
        request.at
        for request in simulator.requests[failing_from:]
        if request.endpoint == "get_call"
    ]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert gaps[0] <= 2
    assert max(gaps) <= 10 + 1
    assert max(gaps) >= 8  # backed off
    assert len(times) < 20  # no storm

    simulator.clear_faults()
    await advance(hass, freezer, 12, step=0.5)
    assert hass.states.get(SENSOR).state == "connected"


@pytest.mark.usefixtures("init_integration")
async def test_unexpected_error_does_not_spin(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A bug-like error while reading is logged and retried later, not in a loop."""
    await start_call(hass)
    with patch(
        "custom_components.clicktodial.voipgrid.VoipgridClient.get_call",
        side_effect=RuntimeError("boom"),
    ) as get_call:
        await advance(hass, freezer, 5)
    assert 3 <= get_call.call_count <= 6
    await advance(hass, freezer, 50, step=0.5)
    assert hass.states.get(SENSOR).state == "disconnected"


async def test_auth_failure_starts_reauth_and_stops(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """A revoked token while tracking starts reauth once and stops polling."""
    await start_call(hass)
    await advance(hass, freezer, 3)
    simulator.accounts["demo@example.com"].revoked = True
    await advance(hass, freezer, 3)
    requests = call_requests(simulator)
    await advance(hass, freezer, 300, step=5)
    assert call_requests(simulator) == requests
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1
    assert flows[0]["context"]["entry_id"] == init_integration.entry_id


@pytest.mark.usefixtures("init_integration")
async def test_failed_poll_repeats_nothing(
    hass: HomeAssistant, simulator: Simulator, driver: TimeDriver
) -> None:
    """A poll failing after a call's end tells of that end and its status no more."""
    ended = async_capture_events(hass, "clicktodial_call_ended")
    shown: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        callback(
            lambda event: (
                shown.append(event.data["new_state"].attributes.get("event_type"))
                if event.data["entity_id"] == EVENT
                and event.data["new_state"].state != STATE_UNAVAILABLE
                else None
            )
        ),
    )
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    await start_call(hass, "+31508009904")  # blacklisted after 1 s
    await driver.run_for(2)
    assert [event.data["status"] for event in ended] == ["blacklisted"]
    assert shown.count("blacklisted") == 1

    # The next poll (of the long call) is refused.
    simulator.accounts["demo@example.com"].revoked = True
    await driver.run_for(5)

    assert hass.states.get(EVENT).state == STATE_UNAVAILABLE
    assert [event.data["status"] for event in ended] == ["blacklisted"]
    assert shown.count("blacklisted") == 1


async def test_start_during_slow_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """A call started while a poll is under way is read once that poll is done."""
    first = await start_call(hass)
    release = asyncio.Event()
    simulator.inject("get_call", Fault.held(release))
    freezer.tick(1)
    async_fire_time_changed_exact(hass)
    await until(lambda: simulator.count("get_call") == 1)  # under way, unanswered
    second = await start_call(hass, "202")
    freezer.tick(1)
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done()
    assert simulator.count("get_call") == 1  # no second poll while one is under way
    release.set()
    await advance(hass, freezer, 3)
    polled = [r.path for r in simulator.requests if r.endpoint == "get_call"]
    assert f"/api/clicktodial/{first}/" in polled
    assert f"/api/clicktodial/{second}/" in polled
    assert hass.states.get(SENSOR).attributes["call_id"] == second


async def test_tracking_survives_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A call tracked when Home Assistant stops is tracked again after a restart."""
    call_id = await start_call(hass)
    await advance(hass, freezer, 7)
    assert hass.states.get(SENSOR).state == "dialing_b"

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{init_integration.entry_id}"]["data"]
    assert [call["call_id"] for call in stored["calls"]] == [call_id]

    requests = call_requests(simulator)
    await advance(hass, freezer, 20, step=1)  # Home Assistant is "down"
    assert call_requests(simulator) == requests

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    # The restored call is read at once, and followed to its end.
    calls = [r for r in simulator.requests if r.endpoint in CALL_ENDPOINTS]
    assert calls[-1].endpoint == "get_call"
    assert hass.states.get(SENSOR).state == "connected"
    await advance(hass, freezer, 20)
    state = hass.states.get(SENSOR)
    assert state.state == "disconnected"
    assert state.attributes["call_id"] == call_id


async def test_end_read_during_set_up_is_told(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A call that ends while the account is set up again is told once it is set up.

    Another call read meanwhile does not hide that end.
    """
    ended = async_capture_events(hass, "clicktodial_call_ended")
    first = await start_call(hass)  # ends at 40 s
    await start_call(hass, "+31508009906")  # ten minutes
    await driver.run_for(35)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()

    # The set-up waits for which phone rings while both calls are read.
    release = asyncio.Event()
    simulator.inject("get_destinations", Fault.held(release))
    reads = simulator.count("get_destinations")
    setting_up = asyncio.get_running_loop().create_task(
        hass.config_entries.async_setup(init_integration.entry_id)
    )
    await until(lambda: simulator.count("get_destinations") > reads)
    await driver.run_for(10)
    assert ended == []
    release.set()
    assert await setting_up
    await hass.async_block_till_done()

    assert [(event.data["call_id"], event.data["status"]) for event in ended] == [
        (first, "disconnected")
    ]
    await driver.run_for(10)
    assert len(ended) == 1


async def test_restored_state_shown_before_first_read(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """After a restart the sensor shows the saved status; bad saved data is ignored."""
    call = {
        "call_id": "gone",
        "b_number": "+31508009899",
        "started": "2026-11-26T10:00:00+00:00",
        "status": "connected",
        "status_changed": "2026-11-26T10:00:10+00:00",
        "tracking": True,
    }
    mock_config_entry.add_to_hass(hass)
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}",
        "data": {
            "latest": call,
            "calls": [
                call,
                {"call_id": "broken"},
                {**call, "call_id": "bad-date", "started": "yesterday"},
                {**call, "call_id": "bad-status", "status": "ringing"},
                {**call, "call_id": "finished", "tracking": False},
            ],
        },
    }
    simulator.inject("get_call", Fault.http(503))
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state.state == "connected"
    assert state.attributes["call_id"] == "gone"
    assert [r.path for r in simulator.requests if r.endpoint == "get_call"] == [
        "/api/clicktodial/gone/"
    ]
    # The platform no longer knows the call: tracking ends, the status stays.
    await advance(hass, freezer, 5)
    state = hass.states.get(SENSOR)
    assert state.state == "connected"
    assert state.attributes["tracking"] is False
    assert mock_config_entry.unique_id == ACCOUNT_UUID
