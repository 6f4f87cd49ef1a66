r"""Soak test: hundreds of calls on two accounts over simulated hours, under platform faults.

Two accounts are set up against the simulator. Calls of every kind (quick and real-length
scenarios, a long conversation, a call whose set-up never ends) are started on both, at
random times, while the simulator answers status reads and call starts with bursts of
5xx errors, 429s with a Retry-After, malformed JSON and dropped connections. Once, it
answers no status read for 90 s, so the entities go unavailable while two calls end.
Partway, the second account's token is revoked. Then it checks that:

- every call started reaches its final status in the event entity's state stream, or is
  given up with a warning (a set-up that never ends), or, on the revoked account, is
  still tracked and saved while a reauth flow waits; every call the platform did not
  start was refused with a translated reason;
- no call is tracked twice: each status fires once per call at most, in order; no call is
  read twice at one moment (but for aiohttp's one silent retry of a GET after a dropped
  connection); no call is read after its end;
- polling respects Retry-After: no status read of the account that got a 429 before its
  Retry-After is over;
- reauth starts exactly once, for the revoked account only;
- Home Assistant's event loop is never blocked: its own detection of blocking calls
  (sleep, files, sockets, imports) is on during the run and reports none; no callback
  uses more than ``SLOW_CALLBACK_CPU`` seconds of the loop thread's CPU, nor takes more
  than ``SLOW_CALLBACK`` seconds of real time (the real clock: moved time would look
  slow), nor any one step of moved time more than ``SLOW_STEP``. CPU time is the tight
  bound: it does not grow when other processes keep the machine busy.

Time moves from one scheduled timer to the next (``tests/timing.py``), so idle hours cost
nothing and every poll runs exactly when it is due. Calls, faults and their times come from a seeded random
generator: a failure names its seed.

In the full suite it runs 300 calls over about 4 simulated hours, in seconds. Run alone
with ``-m soak``, it runs 3,000 calls over about 34 simulated hours (a minute or two)::

    .venv/bin/pytest -q -p no:cacheprovider -m soak tests/test_soak.py

Choose the size and the seed with ``CLICKTODIAL_SOAK_CALLS`` and
``CLICKTODIAL_SOAK_SEED``; add ``-o log_cli=true -o log_cli_level=INFO`` to see the
summary of a run::

    CLICKTODIAL_SOAK_CALLS=10000 CLICKTODIAL_SOAK_SEED=7 .venv/bin/pytest -q -m soak \
        -o log_cli=true -o log_cli_level=INFO tests/test_soak.py
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
import logging
import os
import random
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN, LOGGER
from custom_components.clicktodial.voipgrid import CallStatus
from homeassistant import block_async_io
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import loop as ha_loop
from simulator import (
    DEFAULT_EMAIL,
    ENDPOINTS,
    SCENARIOS,
    Fault,
    RecordedRequest,
    Simulator,
    Timeline,
)

from .helpers import advance, start_call, timeline_changes
from .secrets_guard import SECOND_EMAIL
from .timing import FrozenClock, TimeDriver, real_time, unqueued_time

pytestmark = pytest.mark.soak

_LOGGER = logging.getLogger(__name__)

SMALL_CALLS = 300  # in the full suite
LARGE_CALLS = 3000  # run alone with -m soak
SEED = int(os.environ.get("CLICKTODIAL_SOAK_SEED", "20261127"))

# Simulated seconds between call starts (on average, both accounts together) and
# between injected faults.
MEAN_CALL_GAP = 40.0
MEAN_FAULT_GAP = 75.0
# The second account's token is revoked this far into the calls; before that, the
# platform answers no status read for OUTAGE seconds (entities go unavailable after 60).
REVOKE_AT = 0.6
OUTAGE_AT = 0.3
OUTAGE = 90.0
# After the last call is started: long enough for a ten-minute call, pauses included.
SETTLE = 720.0
# The longest a callback may hold the event loop: in CPU seconds of the loop's thread
# (what the callback itself costs, whatever else runs on the machine), and in real
# seconds less the waits for a CPU (a blocking wait as well, but not what a busy machine
# adds: ``unqueued_time``); and a step of moved time, measured so too.
SLOW_CALLBACK_CPU = 0.25
SLOW_CALLBACK = 2.0
SLOW_STEP = 10.0

EMAILS = (DEFAULT_EMAIL, SECOND_EMAIL)
EVENT_ENTITIES = ("event.demo_user_call", "event.second_user_call")
SENSORS = ("sensor.demo_user_call_status", "sensor.second_user_call_status")

# Short versions of the platform's scenarios, so hundreds of calls stay cheap.
TIMELINES: dict[str, Timeline] = {
    "quick_normal": (
        (0, None),
        (1, "dialing_a"),
        (3, "dialing_b"),
        (5, "connected"),
        (9, "disconnected"),
    ),
    "quick_failed_a": ((0, None), (1, "dialing_a"), (6, "failed_a")),
    "quick_failed_b": ((0, None), (1, "dialing_a"), (2, "dialing_b"), (7, "failed_b")),
    "quick_confirm": (
        (0, None),
        (1, "dialing_a"),
        (2, "confirm"),
        (4, "dialing_b"),
        (5, "connected"),
        (9, "disconnected"),
    ),
    "quick_unknown": (
        (0, ""),
        (1, "dialing_a"),
        (2, "ringing_somewhere"),
        (4, "connected"),
        (7, "disconnected"),
    ),
    # Refused at once: the call is never followed.
    "ended_at_start": ((0, "blacklisted"),),
    **SCENARIOS,
}
# How often each timeline is chosen ("long" and "stuck" are added a few times each).
MIX = {
    "quick_normal": 20,
    "quick_failed_a": 8,
    "quick_failed_b": 8,
    "quick_confirm": 8,
    "quick_unknown": 6,
    "ended_at_start": 3,
    "normal": 6,
    "failed_a": 3,
    "failed_b": 3,
    "confirm": 3,
    "blacklisted": 4,
    "unknown_status": 3,
}
# Faults, by how often each is injected.
FAULTS: dict[str, tuple[str, int]] = {
    "5xx burst": ("get_call", 30),
    "429": ("get_call", 12),
    "malformed JSON": ("get_call", 15),
    "connection reset": ("get_call", 15),
    "start 5xx": ("start_call", 6),
    "start 429": ("start_call", 5),
    "start connection reset": ("start_call", 5),
    "start malformed JSON": ("start_call", 4),
}
START_REFUSALS = {"cannot_connect", "rate_limited"}


def soak_calls(config: pytest.Config) -> int:
    """Return the number of calls: the variable, else more when run alone."""
    if calls := os.environ.get("CLICKTODIAL_SOAK_CALLS"):
        return int(calls)
    markexpr = config.getoption("markexpr") or ""
    alone = "soak" in markexpr and "not soak" not in markexpr
    return LARGE_CALLS if alone else SMALL_CALLS


def is_subsequence(short: Iterable[Any], long: Iterable[Any]) -> bool:
    """Return whether ``short`` is ``long`` with some items left out."""
    rest = iter(long)
    return all(item in rest for item in short)


# -- instruments -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedFault:
    """A fault the simulator answered a request with."""

    request: RecordedRequest
    fault: Fault


class FaultQueue(deque[Fault]):
    """A simulator fault queue that notes which request each fault answered.

    The simulator records a request and takes its fault from the queue with nothing
    awaited in between, so the last recorded request is the one answered.
    """

    def __init__(self, simulator: Simulator, served: list[ServedFault]) -> None:
        """Start empty."""
        super().__init__()
        self.simulator = simulator
        self.served = served

    def popleft(self) -> Fault:
        """Serve the next fault, noting the request it answers."""
        fault = super().popleft()
        self.served.append(ServedFault(self.simulator.requests[-1], fault))
        return fault


class LoopTimer:
    """Time every callback of the event loop in real time; keep the slowest.

    Moved time makes every callback that moves the clock look slow to asyncio's own
    debug check, so the real clock is used instead.
    """

    def __init__(self) -> None:
        """Nothing measured yet."""
        self.slowest = 0.0
        self.slowest_handle = ""
        self.most_cpu = 0.0
        self.most_cpu_handle = ""
        self.callbacks = 0

    @contextmanager
    def measuring(self) -> Generator[None]:
        """Measure while inside the block."""
        original = asyncio.Handle._run
        timer = self

        def _run(handle: asyncio.Handle) -> None:
            start, cpu_start = unqueued_time(), time.thread_time()
            try:
                original(handle)
            finally:
                elapsed = unqueued_time() - start
                cpu = time.thread_time() - cpu_start
                timer.callbacks += 1
                if elapsed > timer.slowest:
                    timer.slowest = elapsed
                    timer.slowest_handle = repr(handle)[:300]
                if cpu > timer.most_cpu:
                    timer.most_cpu = cpu
                    timer.most_cpu_handle = repr(handle)[:300]

        with patch.object(asyncio.Handle, "_run", _run):
            yield


class WarningRecords(logging.Handler):
    """Keep the integration's warnings: a call given up is reported there."""

    def __init__(self) -> None:
        """Start with none."""
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message."""
        self.messages.append(record.getMessage())


@pytest.fixture
def warnings_logged() -> Generator[WarningRecords]:
    """Collect the integration's warnings and those of blocking calls in the loop."""
    handler = WarningRecords()
    loggers = (LOGGER, logging.getLogger(ha_loop.__name__))
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


# -- the plan ----------------------------------------------------------------------------


@dataclass
class PlannedCall:
    """A call to start: when, from which account, and how it goes."""

    at: float
    account: int
    timeline: str


@dataclass
class Plan:
    """Everything that happens in a run, by time."""

    calls: list[PlannedCall]
    faults: list[tuple[float, str]]
    outage_at: float
    revoke_at: float
    end: float


def make_plan(rng: random.Random, calls: int) -> Plan:
    """Draw the calls and faults of a run."""
    names = list(MIX)
    weights = list(MIX.values())
    planned: list[PlannedCall] = []
    at = 0.0
    for _ in range(calls):
        at += rng.expovariate(1 / MEAN_CALL_GAP)
        planned.append(
            PlannedCall(at, rng.randrange(2), rng.choices(names, weights)[0])
        )
    # A few long and stuck calls, on the account that keeps its token.
    for index in rng.sample(range(len(planned)), k=2 * max(1, calls // 150)):
        planned[index].account = 0
        planned[index].timeline = "long" if index % 2 else "stuck"
    revoke_at = planned[int(len(planned) * REVOKE_AT)].at
    outage_at = planned[int(len(planned) * OUTAGE_AT)].at + 0.5
    # While the first account's entities are unavailable in the outage, none of its
    # calls starts (a start would make them available again).
    for call in planned:
        if outage_at - 10 <= call.at <= outage_at + OUTAGE + 20:
            call.account = 1
    planned += [
        # Two calls that end during the outage, read in one poll once it is over: its
        # two changes must both reach the event stream.
        PlannedCall(outage_at - 15, 0, "normal"),
        PlannedCall(outage_at - 15, 0, "normal"),
        # Two long calls are being followed on the second account when its token goes.
        PlannedCall(revoke_at - 30, 1, "long"),
        PlannedCall(revoke_at - 20, 1, "long"),
    ]
    planned.sort(key=lambda call: call.at)
    last = planned[-1].at
    faults: list[tuple[float, str]] = []
    fault_names = list(FAULTS)
    fault_weights = [weight for _, weight in FAULTS.values()]
    at = rng.expovariate(1 / MEAN_FAULT_GAP)
    while at < last:
        faults.append((at, rng.choices(fault_names, fault_weights)[0]))
        at += rng.expovariate(1 / MEAN_FAULT_GAP)
    return Plan(planned, faults, outage_at, revoke_at, last + SETTLE)


def fault_for(rng: random.Random, name: str) -> tuple[Fault, int]:
    """Return the fault of a name and how many times in a row to serve it."""
    match name:
        case "5xx burst":
            status = rng.choice([500, 502, 503, 504])
            return Fault.http(status, {"detail": "Server error"}), rng.randint(1, 4)
        case "429" | "start 429":
            return Fault.rate_limited(
                rng.choice(["5", "7.5", "10", "20", "30", "45"])
            ), 1
        case "malformed JSON":
            return Fault.malformed(), rng.randint(1, 2)
        case "connection reset":
            return Fault.connection_reset(), rng.randint(1, 2)
        case "start 5xx":
            return Fault.http(503), 1
        case "start connection reset":
            return Fault.connection_reset(), 1
        case _:
            return Fault.malformed(201), 1


# -- the run -----------------------------------------------------------------------------


@dataclass
class Started:
    """A call the platform started."""

    call_id: str
    account: int
    timeline: str
    at: float


@dataclass
class Refused:
    """A call the platform did not start, and why."""

    account: int
    at: float
    reason: str


@dataclass
class Run:
    """What happened in a run."""

    started: list[Started] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    # Per call: the statuses the event entity showed, and the last one its end told.
    shown: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    shown_at: dict[tuple[str, str], float] = field(default_factory=dict)
    told: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # The calls the Call event entities showed as no longer followed.
    given_up: set[str] = field(default_factory=set)
    served: list[ServedFault] = field(default_factory=list)
    reauth_starts: Counter[str] = field(default_factory=Counter)
    unavailable: list[tuple[str, float]] = field(default_factory=list)
    revoked_at: float = 0.0


def watch(
    hass: HomeAssistant,
    simulator: Simulator,
    entries: tuple[MockConfigEntry, MockConfigEntry],
    run: Run,
    driver: TimeDriver,
) -> None:
    """Record the event stream, status changes, faults served and reauth starts."""
    last_shown: dict[str, tuple[Any, ...]] = {}

    @callback
    def _state_changed(event: Event[Any]) -> None:
        entity_id = event.data["entity_id"]
        new = event.data["new_state"]
        if new is None:
            return
        if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            if new.state == STATE_UNAVAILABLE:
                run.unavailable.append((entity_id, driver.elapsed()))
            return
        if entity_id not in EVENT_ENTITIES:
            return
        shown = (new.state, new.attributes["call_id"], new.attributes["event_type"])
        # Back from unavailable, the entity shows its last event again: not a new one.
        if last_shown.get(entity_id) == shown:
            return
        last_shown[entity_id] = shown
        call_id, status = shown[1], shown[2]
        if status == "not_followed":
            run.given_up.add(call_id)
            return
        run.shown[call_id].append(status)
        run.shown_at.setdefault((call_id, status), driver.elapsed())

    hass.bus.async_listen("state_changed", _state_changed)

    @callback
    def _ended(event: Event[Any]) -> None:
        run.told[event.data["call_id"]].append(event.data["status"])

    hass.bus.async_listen("clicktodial_call_ended", _ended)
    for endpoint in ENDPOINTS:
        simulator.faults[endpoint] = FaultQueue(simulator, run.served)

    flows = hass.config_entries.flow
    original_init = flows.async_init

    async def _async_init(handler: str, *args: Any, **kwargs: Any) -> Any:
        context = kwargs.get("context") or {}
        if context.get("source") == SOURCE_REAUTH:
            run.reauth_starts[context["entry_id"]] += 1
        return await original_init(handler, *args, **kwargs)

    flows.async_init = _async_init  # type: ignore[method-assign]


async def start_planned(
    hass: HomeAssistant,
    simulator: Simulator,
    entries: tuple[MockConfigEntry, MockConfigEntry],
    planned: PlannedCall,
    run: Run,
    driver: TimeDriver,
    number: str,
) -> None:
    """Start a planned call through the action; note how it went."""
    simulator.script_next_call(TIMELINES[planned.timeline])
    calls_before = len(simulator.calls)
    try:
        call_id = await start_call(
            hass, number, config_entry_id=entries[planned.account].entry_id
        )
    except ServiceValidationError:
        raise
    except HomeAssistantError as err:
        # Not started: the platform must not have a call either.
        assert len(simulator.calls) == calls_before
        simulator.next_timelines.clear()
        run.refused.append(
            Refused(planned.account, driver.elapsed(), str(err.translation_key))
        )
        return
    assert simulator.calls[call_id].email == EMAILS[planned.account]
    run.started.append(
        Started(call_id, planned.account, planned.timeline, driver.elapsed())
    )


@pytest.mark.usefixtures("disable_block_async_io")
async def test_soak(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    init_integration: MockConfigEntry,
    init_second_integration: MockConfigEntry,
    warnings_logged: WarningRecords,
    pytestconfig: pytest.Config,
) -> None:
    """Hundreds of calls, two accounts, hours, every fault: nothing lost or doubled."""
    entries = (init_integration, init_second_integration)
    calls = soak_calls(pytestconfig)
    rng = random.Random(SEED)  # noqa: S311 - a reproducible plan, not a secret
    plan = make_plan(rng, calls)
    run = Run()
    driver = TimeDriver(hass, FrozenClock(hass, freezer))
    loop_timer = LoopTimer()
    watch(hass, simulator, entries, run, driver)

    actions: list[tuple[float, int, Callable[[], Awaitable[None]]]] = []
    for index, planned in enumerate(plan.calls):
        number = f"+3150800{index % 10000:04d}"

        async def _call(planned: PlannedCall = planned, number: str = number) -> None:
            await start_planned(hass, simulator, entries, planned, run, driver, number)

        actions.append((planned.at, 1, _call))
    for at, name in plan.faults:
        endpoint = FAULTS[name][0]

        async def _fault(name: str = name, endpoint: str = endpoint) -> None:
            if not simulator.faults[endpoint]:  # one burst at a time
                fault, times = fault_for(rng, name)
                simulator.inject(endpoint, fault, times)

        actions.append((at, 0, _fault))

    async def _outage() -> None:
        simulator.faults["get_call"].clear()
        simulator.inject("get_call", Fault.http(503, {"detail": "Down"}), 1_000_000)

    async def _outage_over() -> None:
        simulator.faults["get_call"].clear()

    actions.append((plan.outage_at, 2, _outage))
    actions.append((plan.outage_at + OUTAGE, 2, _outage_over))

    async def _revoke() -> None:
        simulator.accounts[SECOND_EMAIL].revoked = True
        run.revoked_at = driver.elapsed()

    actions.append((plan.revoke_at, 2, _revoke))
    actions.sort(key=lambda action: action[:2])

    # asyncio's debug mode records a stack trace for every callback, which doubles the
    # run's time, and its own check of slow callbacks cannot tell moved time from slow
    # code: the loop timer measures callbacks in real time instead.
    # Home Assistant's own detection of blocking calls (sleep, files, sockets, imports)
    # in the event loop is on during the run, as in a running Home Assistant.
    debug = hass.loop.get_debug()
    hass.loop.set_debug(False)
    block_async_io.enable()
    real_start = real_time()
    try:
        with loop_timer.measuring():
            for at, _, action in actions:
                await driver.run_until(driver.origin + at)
                await action()
            await driver.run_until(driver.origin + plan.end)
    finally:
        hass.loop.set_debug(debug)
    real_seconds = real_time() - real_start

    first, second = (entry.runtime_data.coordinator for entry in entries)
    summary = {
        "seed": SEED,
        "calls planned": len(plan.calls),
        "started": len(run.started),
        "refused": Counter(refused.reason for refused in run.refused),
        "simulated hours": round(driver.elapsed() / 3600, 2),
        "real seconds": round(real_seconds, 1),
        "steps": driver.steps,
        "requests": Counter(request.endpoint for request in simulator.requests),
        "faults served": Counter(
            (served.request.endpoint, served.fault.status, served.fault.reset)
            for served in run.served
        ),
        "slowest callback (s)": round(loop_timer.slowest, 3),
        "most CPU in a callback (s)": round(loop_timer.most_cpu, 3),
        "slowest step (s)": round(driver.slowest_step, 3),
        "callbacks": loop_timer.callbacks,
    }
    _LOGGER.info("Soak run: %s", summary)
    _LOGGER.info("Slowest callback: %s", loop_timer.slowest_handle)
    _LOGGER.info("Callback with most CPU: %s", loop_timer.most_cpu_handle)

    # The run was what it should be: the whole plan, most calls started, and (in a
    # run of this suite's size or more) every kind of fault served.
    assert driver.elapsed() >= plan.end - 1e-6
    assert len(run.started) >= 0.8 * calls * (1 - (1 - REVOKE_AT) / 2) - 5
    if calls >= 100:
        served_kinds = {
            (served.request.endpoint, served.fault.status, served.fault.reset)
            for served in run.served
        }
        assert {
            ("get_call", 429, False),  # rate limited
            ("get_call", 200, False),  # malformed JSON
            ("get_call", None, True),  # connection reset
            ("start_call", None, True),
        } <= served_kinds
        assert {status for _, status, _ in served_kinds} & {500, 502, 503, 504}

    # -- every call ends, or is reported ----------------------------------------------
    revoked_at = run.revoked_at
    assert revoked_at
    tracked_by_second = {call.call_id for call in second.tracked_calls}
    saved_by_second = {
        call["call_id"]
        for call in hass_storage[f"{DOMAIN}.{entries[1].entry_id}"]["data"]["calls"]
    }
    assert first.tracked_calls == []
    for call in run.started:
        expected = [
            status.value for _, status in timeline_changes(TIMELINES[call.timeline])
        ]
        shown = run.shown[call.call_id]
        assert shown, call
        assert shown[0] == expected[0], (call, shown)
        # In order, each status at most once; each end told once, as last shown.
        assert is_subsequence(shown, expected), (call, shown, expected)
        told = run.told[call.call_id]
        assert len(told) <= 1, (call, told)
        assert is_subsequence(told, expected), (call, told)
        if CallStatus(shown[-1]).is_terminal:
            assert shown[-1] == expected[-1], (call, shown)
            assert told == [shown[-1]], (call, told)
            assert call.call_id not in run.given_up, call
            continue
        if call.timeline == "stuck" and any(
            message.startswith(f"Call {call.call_id} has been ")
            and message.endswith("no longer following it")
            for message in warnings_logged.messages
        ):
            # Given up, with a warning; its last line says so.
            assert call.call_id in run.given_up, call
            continue
        # Not ended: only on the account whose token was revoked, still followed and
        # saved for when the new token is entered.
        assert call.account == 1, (call, shown)
        assert call.at <= revoked_at
        assert call.call_id in tracked_by_second, call
        assert call.call_id in saved_by_second, call
    assert tracked_by_second  # the two long calls at least
    for refused in run.refused:
        if refused.account == 1 and refused.at >= revoked_at:
            assert refused.reason in START_REFUSALS | {"call_auth_failed"}, refused
        else:
            assert refused.reason in START_REFUSALS, refused
    assert any(refused.reason == "call_auth_failed" for refused in run.refused)

    # -- no call tracked twice ------------------------------------------------------------
    resets: Counter[tuple[str | None, str, float]] = Counter(
        (served.request.email, served.request.path, served.request.at)
        for served in run.served
        if served.fault.reset and served.request.endpoint == "get_call"
    )
    reads = Counter(
        (request.email, request.path, request.at)
        for request in simulator.requests
        if request.endpoint == "get_call"
    )
    for key, count in reads.items():
        assert count <= 1 + resets[key], (key, count)
    ended_at = {
        call.call_id: run.shown_at[call.call_id, run.shown[call.call_id][-1]]
        for call in run.started
        if CallStatus(run.shown[call.call_id][-1]).is_terminal
    }
    for request in simulator.requests:
        if request.endpoint == "get_call":
            call_id = request.path.rsplit("/", 2)[1]
            if call_id in ended_at:
                assert request.at - driver.origin <= ended_at[call_id] + 1e-6, request

    # -- Retry-After is respected -----------------------------------------------------
    limited = [
        served
        for served in run.served
        if served.fault.status == 429 and served.request.endpoint == "get_call"
    ]
    assert limited
    for served in limited:
        until = served.request.at + float(served.fault.headers["Retry-After"])
        early = [
            request
            for request in simulator.requests
            if request.endpoint == "get_call"
            and request.email == served.request.email
            and served.request.at < request.at < until - 1e-6
        ]
        assert not early, (served, early[:3])

    # -- reauth once, for the revoked account -----------------------------------------
    assert run.reauth_starts == {entries[1].entry_id: 1}
    reauth = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert [flow["context"]["entry_id"] for flow in reauth] == [entries[1].entry_id]
    # The first account went unavailable in the outage only: its bursts stayed short.
    first_unavailable = [
        at for entity_id, at in run.unavailable if ".demo_user_" in entity_id
    ]
    assert first_unavailable  # the outage was long enough
    for at in first_unavailable:
        assert plan.outage_at <= at <= plan.outage_at + OUTAGE, at
    assert hass.states.get(SENSORS[0]).attributes["tracking"] is False

    # -- the event loop was never blocked ---------------------------------------------
    assert not [
        message
        for message in warnings_logged.messages
        if message.startswith("Detected blocking call")
    ]
    assert loop_timer.most_cpu < SLOW_CALLBACK_CPU, loop_timer.most_cpu_handle
    assert loop_timer.slowest < SLOW_CALLBACK, loop_timer.slowest_handle
    assert driver.slowest_step < SLOW_STEP


async def test_changes_after_unavailable_are_shown(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """Two calls end during a long outage: both ends reach the event stream.

    The changes read in the first poll after the entities went unavailable were once
    written while the event entity was still unavailable, and all but the last lost.
    """
    shown: list[tuple[str, str]] = []

    @callback
    def _state_changed(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if (
            new is not None
            and new.entity_id == EVENT_ENTITIES[0]
            and new.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
        ):
            shown.append((new.attributes["call_id"], new.attributes["event_type"]))

    hass.bus.async_listen("state_changed", _state_changed)
    call_ids = [await start_call(hass) for _ in range(2)]
    await advance(hass, freezer, 12, step=0.5)  # both connected
    simulator.inject("get_call", Fault.http(503), times=1000)
    await advance(
        hass, freezer, 80, step=0.5
    )  # unavailable; both calls ended meanwhile
    assert hass.states.get(EVENT_ENTITIES[0]).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    await advance(hass, freezer, 15, step=0.5)

    for call_id in call_ids:
        assert (call_id, "disconnected") in shown, shown
