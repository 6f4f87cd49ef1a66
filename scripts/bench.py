"""Benchmark the call tracking against the simulator, beside a fixed 30 s polling baseline.

Run it through ``scripts/bench`` (or ``.venv/bin/python scripts/bench.py``); options:
``--json FILE`` also writes the figures as JSON; ``--reps``, ``--memory-calls`` and
``--action-calls`` change the sample sizes.

Everything talks to the project's simulator over real HTTP on 127.0.0.1, inside a real
Home Assistant (``async_test_home_assistant``) with this repository's integration loaded.

Moved time, where it is exact: the event loop's clock (``loop.time``) and Home Assistant's
``dt_util.utcnow`` are replaced by a virtual clock, and the bench jumps it to the next
scheduled timer, lets the loop run everything due (polls, HTTP round trips, state writes,
storage) until Home Assistant is idle, and repeats. Time does not move while a request is
in flight, so a delay is exactly what the polling schedule makes it.

Real time, where it measures real overhead: the action's latency (``perf_counter``) and the
event loop's CPU time per poll tick (``thread_time`` of the loop's thread, with the simulator
on its own loop in a second thread so its work is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import json
import logging
import math
import os
from pathlib import Path
import platform
import random
import statistics
import sys
import tempfile
import textwrap
import threading
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Import this repository's integration first: it is then the one Home Assistant loads
# (as tests/conftest.py does), and Home Assistant is imported before anything else
# imports voluptuous.
import custom_components.clicktodial  # noqa: E402, F401

# isort: split

from aiohttp import web  # noqa: E402
from aiohttp.resolver import ThreadedResolver  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)
import pytest_socket  # noqa: E402

from custom_components.clicktodial.const import (  # noqa: E402
    CONF_API_TOKEN,
    CONNECTED_POLL_INTERVAL,
    DOMAIN,
    FIRST_POLL_DELAY,
    SETUP_POLL_INTERVAL,
    STORAGE_SAVE_DELAY,
    STUCK_AFTER,
)
from custom_components.clicktodial.coordinator import (  # noqa: E402
    ClickToDialCoordinator,
    StatusChange,
    TrackedCall,
)
from custom_components.clicktodial.voipgrid import (  # noqa: E402
    Call,
    CallStatus,
    VoipgridClient,
    VoipgridError,
    parse_status,
)
from homeassistant import loader  # noqa: E402
from homeassistant.const import CONF_EMAIL, CONF_URL, __version__ as ha_version  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import frame  # noqa: E402
from homeassistant.helpers.aiohttp_client import async_get_clientsession  # noqa: E402
from homeassistant.helpers.storage import Store  # noqa: E402
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed  # noqa: E402
from homeassistant.util import dt as dt_util  # noqa: E402
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, SCENARIOS, Simulator, Timeline  # noqa: E402

LOGGER = logging.getLogger("bench")

NUMBER = "+31508009899"
BASELINE_EMAIL = "baseline@example.com"
BASELINE_TOKEN = "baseline-token"
BASELINE_INTERVAL = 30.0
TIMELINES = {
    "failed_b": "short failed call (B side not reached after 26 s)",
    "normal": "normal call, 30 s of conversation",
    "long": "long call, 10 min of conversation",
    "stuck": "set-up never ends (own phone rings on)",
}
# The contract: set-up changes within 1.5 s, the end of a conversation within 3 s, the
# first read within 1 s of the start.
SETUP_LIMIT = 1.5
END_LIMIT = 3.0
FIRST_READ_LIMIT = 1.0
TICK_LOADS = (0, 1, 10, 100)
TICK_SAMPLES = 30
MEMORY_BATCH = 100
TRACE_FRAMES = 1


# -- time ------------------------------------------------------------------------------


class VirtualClock:
    """A clock for the event loop and for utcnow that moves only when told to."""

    def __init__(self, start: float) -> None:
        """Start at ``start`` (loop seconds) and the real wall time of now."""
        self.now = start
        self._origin = start
        self._wall_origin = datetime.now(UTC)

    def time(self) -> float:
        """Return the loop time."""
        return self.now

    def utcnow(self) -> datetime:
        """Return the wall time that goes with the loop time."""
        return self._wall_origin + timedelta(seconds=self.now - self._origin)

    def timestamp(self) -> float:
        """Return the wall time as a POSIX timestamp."""
        return self.utcnow().timestamp()


@contextlib.contextmanager
def moved_time(loop: asyncio.AbstractEventLoop) -> Iterator[VirtualClock]:
    """Drive ``loop`` and Home Assistant's utcnow by a virtual clock."""
    clock = VirtualClock(loop.time())
    loop.time = clock.time  # type: ignore[method-assign]
    try:
        with (
            patch.object(dt_util, "utcnow", clock.utcnow),
            patch("homeassistant.helpers.event.time_tracker_utcnow", clock.utcnow),
            patch(
                "homeassistant.helpers.event.time_tracker_timestamp", clock.timestamp
            ),
            patch("homeassistant.helpers.update_coordinator.utcnow", clock.utcnow),
        ):
            yield clock
    finally:
        del loop.time


class Driver:
    """Move virtual time from timer to timer, letting Home Assistant finish each step."""

    def __init__(self, hass: HomeAssistant, clock: VirtualClock) -> None:
        """Drive ``hass`` with ``clock``."""
        self.hass = hass
        self.clock = clock

    def next_timer(self) -> float | None:
        """Return when the earliest pending timer of the loop is due."""
        scheduled = self.hass.loop._scheduled  # type: ignore[attr-defined]  # noqa: SLF001
        return min((h.when() for h in scheduled if not h.cancelled()), default=None)

    async def settle(self) -> None:
        """Run everything that is due now, until Home Assistant is idle."""
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def run_until(
        self, end: float, until: Callable[[], bool] | None = None
    ) -> bool:
        """Step through every timer up to ``end``; stop early once ``until()`` holds."""
        await self.settle()
        spins = 0
        while until is None or not until():
            when = self.next_timer()
            if when is None or when > end:
                self.clock.now = max(self.clock.now, end)
                await self.settle()
                return until is not None and until()
            spins = spins + 1 if when <= self.clock.now else 0
            if spins > 10_000:
                raise RuntimeError("a timer keeps firing without time moving")
            self.clock.now = max(self.clock.now, when)
            await self.settle()
        return True


# -- the platform ----------------------------------------------------------------------


class BenchSimulator(Simulator):
    """The simulator, noting the real time at which each new call's POST arrives."""

    def __init__(self, **kwargs: Any) -> None:
        """Create the simulator with the bench's two accounts."""
        super().__init__(**kwargs)
        self.post_arrivals: list[float] = []
        self.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN)
        self.add_account(BASELINE_EMAIL, BASELINE_TOKEN, first_name="Baseline")

    async def _start_call(self, request: web.Request) -> web.StreamResponse:
        """Note the arrival (handler entered, headers parsed), then answer normally."""
        self.post_arrivals.append(time.perf_counter())
        return await super()._start_call(request)

    def get_calls(self, call_id: str, email: str | None = None) -> list[float]:
        """Return when each status read of a call arrived (simulator clock)."""
        path = f"/api/clicktodial/{call_id}/"
        return [
            r.at
            for r in self.requests
            if r.endpoint == "get_call"
            and r.path == path
            and (email is None or r.email == email)
        ]


class ThreadedSimulator:
    """A simulator serving from its own event loop in a second thread."""

    def __init__(self, sim: Simulator) -> None:
        """Wrap ``sim``; nothing runs yet."""
        self.sim = sim
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="simulator", daemon=True
        )

    async def start(self) -> str:
        """Serve on 127.0.0.1 and return the base URL."""
        self.thread.start()
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(self.sim.start(), self.loop)
        )

    async def stop(self) -> None:
        """Stop serving and end the thread."""
        await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(self.sim.stop(), self.loop)
        )
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


# -- Home Assistant --------------------------------------------------------------------


@contextlib.asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """Run a test Home Assistant in a temporary config dir, custom integrations on."""
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    with (
        tempfile.TemporaryDirectory(prefix="clicktodial-bench-") as config_dir,
        # No zeroconf: the simulator is on 127.0.0.1, nothing needs resolving.
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            return_value=resolver,
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            # What the enable_custom_integrations fixture does.
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            try:
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


async def setup_integration(hass: HomeAssistant, url: str) -> ClickToDialCoordinator:
    """Add and set up a config entry for the simulator's default account."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Demo User",
        unique_id="00000000-0000-4000-8000-000000000001",
        data={CONF_URL: url, CONF_EMAIL: DEFAULT_EMAIL, CONF_API_TOKEN: DEFAULT_TOKEN},
    )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("the integration did not set up")
    await hass.async_block_till_done()
    return entry.runtime_data.coordinator


async def call_action(hass: HomeAssistant) -> str:
    """Start a call through ``clicktodial.call`` and return its id."""
    response = await hass.services.async_call(
        DOMAIN, "call", {"b_number": NUMBER}, blocking=True, return_response=True
    )
    assert response is not None
    return str(response["call_id"])


def tracked_ids(coordinator: ClickToDialCoordinator) -> set[str]:
    """Return the ids of the calls the integration follows now."""
    return {call.call_id for call in coordinator.tracked_calls}


class BaselineCoordinator(DataUpdateCoordinator[Call | None]):
    """What most polling integrations do: read the latest call every 30 s, always."""

    def __init__(self, hass: HomeAssistant, client: VoipgridClient) -> None:
        """Poll through the same client class as the integration."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=None,
            name="baseline",
            update_interval=timedelta(seconds=BASELINE_INTERVAL),
        )
        self.client = client
        self.call_id: str | None = None
        self.status: CallStatus | None = None
        self.poll_times: list[float] = []
        self.seen: dict[tuple[str, CallStatus], float] = {}

    def track(self, call: Call) -> None:
        """Make a call just started the latest call."""
        self.call_id = call.call_id
        self.status = call.status or CallStatus.SETTING_UP

    async def _async_update_data(self) -> Call | None:
        """Read the latest call, if there is one yet."""
        self.poll_times.append(self.hass.loop.time())
        if self.call_id is None:
            return None
        try:
            call = await self.client.get_call(self.call_id)
        except VoipgridError as err:
            raise UpdateFailed(str(err)) from err
        if call.status is not None and call.status is not self.status:
            self.status = call.status
            self.seen.setdefault((call.call_id, call.status), self.hass.loop.time())
        return call


# -- figures ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank percentile ``q`` (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float | int | None]:
    """Return count, mean and max of ``values`` (None when empty)."""
    if not values:
        return {"n": 0, "mean": None, "max": None}
    return {"n": len(values), "mean": statistics.fmean(values), "max": max(values)}


def ratio(a: float | None, b: float | None) -> float | None:
    """Return a / b, or None when undefined."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def shifted(timeline: Timeline, shift: float, extend: float) -> Timeline:
    """Return the timeline with its changes ``shift`` s later, after 'connected' ``extend`` more."""
    changes: list[tuple[float, str | None]] = []
    connected = False
    for offset, raw in timeline:
        later = shift + (extend if connected else 0.0) if offset > 0 else 0.0
        changes.append((offset + later, raw))
        connected = connected or raw == "connected"
    return tuple(changes)


def expected_changes(timeline: Timeline) -> list[tuple[float, CallStatus]]:
    """Return the status changes a timeline makes, normalised as the integration sees them."""
    changes: list[tuple[float, CallStatus]] = []
    for offset, raw in timeline:
        status = parse_status(raw)
        if status is None or (changes and changes[-1][1] is status):
            continue
        changes.append((offset, status))
    return changes


@dataclass
class TrackerRuns:
    """What one tracker did over the repetitions of one timeline."""

    delays: dict[str, list[float]] = field(default_factory=dict)
    missed: dict[str, int] = field(default_factory=dict)
    first_read: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    given_up_after: list[float] = field(default_factory=list)
    storage_writes: list[int] = field(default_factory=list)

    def as_dict(self, changes: int) -> dict[str, Any]:
        """Return the figures of this tracker as JSON-ready data."""
        requests = statistics.fmean(self.requests)
        return {
            "delay_s": {
                status: {**summary(values), "missed": self.missed.get(status, 0)}
                for status, values in self.delays.items()
            },
            "first_read_s": summary(self.first_read),
            "requests_per_call": {
                "mean": requests,
                "min": min(self.requests),
                "max": max(self.requests),
            },
            "requests_per_change": requests / changes,
            "given_up_after_s": summary(self.given_up_after)
            if self.given_up_after
            else None,
            "storage_writes_per_call": statistics.fmean(self.storage_writes)
            if self.storage_writes
            else None,
        }


# -- phase 1: scripted timelines and idle (moved time) ---------------------------------


async def phase_timelines(reps: int) -> dict[str, Any]:
    """Play each timeline ``reps`` times for both trackers, then idle for an hour."""
    loop = asyncio.get_running_loop()
    writes: list[float] = []
    write_data = Store._async_write_data  # noqa: SLF001

    async def counted_write(store: Store[Any], data: dict[str, Any]) -> None:
        if store.key.startswith(f"{DOMAIN}."):
            writes.append(loop.time())
        await write_data(store, data)

    with (
        moved_time(loop) as clock,
        patch.object(Store, "_async_write_data", counted_write),
    ):
        async with home_assistant() as hass:
            sim = BenchSimulator(clock=clock.time, wall_clock=clock.utcnow)
            await sim.start()
            try:
                return await _timelines(hass, clock, sim, reps, writes)
            finally:
                await sim.stop()


async def _timelines(
    hass: HomeAssistant,
    clock: VirtualClock,
    sim: BenchSimulator,
    reps: int,
    writes: list[float],
) -> dict[str, Any]:
    """Run phase 1 in a Home Assistant set up with moved time."""
    driver = Driver(hass, clock)
    coordinator = await setup_integration(hass, sim.url)
    seen: dict[tuple[str, CallStatus], float] = {}

    def on_change(change: StatusChange) -> None:
        if change.previous is not None:
            seen.setdefault((change.call.call_id, change.call.status), clock.now)

    coordinator.async_add_status_listener(on_change)
    client = VoipgridClient(
        async_get_clientsession(hass),
        base_url=sim.url,
        email=BASELINE_EMAIL,
        api_token=BASELINE_TOKEN,
    )
    baseline = BaselineCoordinator(hass, client)
    await baseline.async_refresh()
    unsub_baseline = baseline.async_add_listener(lambda: None)

    results: dict[str, Any] = {}
    for name, description in TIMELINES.items():
        runs = {"integration": TrackerRuns(), "baseline": TrackerRuns()}
        changes = expected_changes(SCENARIOS[name])[1:]
        for k in range(reps):
            # The changes fall at a different point of the integration's 1 s cycle in
            # each repetition, and the call starts at a different point of the baseline's
            # 30 s cycle.
            timeline = shifted(
                SCENARIOS[name],
                (k + 0.25) / reps * SETUP_POLL_INTERVAL,
                (k + 0.25) / reps * CONNECTED_POLL_INTERVAL,
            )
            phase = (k + 0.5) * BASELINE_INTERVAL / reps
            polls = len(baseline.poll_times)
            await driver.run_until(
                clock.now + 2 * BASELINE_INTERVAL,
                until=lambda polls=polls: len(baseline.poll_times) > polls,
            )
            await driver.run_until(baseline.poll_times[-1] + phase)

            sim.script_next_call(timeline)
            sim.script_next_call(timeline)
            integration_id = await call_action(hass)
            baseline_call = await client.start_call(NUMBER)
            baseline.track(baseline_call)
            baseline_id = baseline_call.call_id
            started = sim.calls[integration_id].started_at
            assert sim.calls[baseline_id].started_at == started
            final = expected_changes(timeline)[-1][1]
            ended: dict[str, float] = {}

            def done(
                integration_id: str = integration_id,
                baseline_id: str = baseline_id,
                final: CallStatus = final,
                ended: dict[str, float] = ended,
                name: str = name,
            ) -> bool:
                if "integration" not in ended and integration_id not in tracked_ids(
                    coordinator
                ):
                    ended["integration"] = clock.now
                if name == "stuck":
                    # Nothing ends: the baseline would poll on for ever. Compare both
                    # over the time until the integration gave up.
                    if "integration" in ended:
                        ended.setdefault("baseline", ended["integration"])
                elif (baseline_id, final) in baseline.seen:
                    ended.setdefault("baseline", baseline.seen[baseline_id, final])
                return len(ended) == 2

            limit = started + timeline[-1][0] + STUCK_AFTER.total_seconds() + 120
            if not await driver.run_until(limit, until=done):
                raise RuntimeError(f"{name}: a tracker did not see the call end")

            for tracker, call_id, seen_at, email in (
                ("integration", integration_id, seen, DEFAULT_EMAIL),
                ("baseline", baseline_id, baseline.seen, BASELINE_EMAIL),
            ):
                run = runs[tracker]
                for offset, status in expected_changes(timeline)[1:]:
                    values = run.delays.setdefault(status.value, [])
                    run.missed.setdefault(status.value, 0)
                    if (call_id, status) in seen_at:
                        values.append(seen_at[call_id, status] - (started + offset))
                    else:
                        run.missed[status.value] += 1
                reads = [
                    at for at in sim.get_calls(call_id, email) if at <= ended[tracker]
                ]
                run.first_read.append(reads[0] - started)
                run.requests.append(len(reads))
                if name == "stuck" and tracker == "integration":
                    run.given_up_after.append(ended[tracker] - started)
            # The integration saves its tracked calls after every poll (delayed by
            # STORAGE_SAVE_DELAY): count the writes of this call's tracking.
            last = ended["integration"] + STORAGE_SAVE_DELAY + 0.5
            runs["integration"].storage_writes.append(
                sum(1 for at in writes if started <= at <= last)
            )

        integ = runs["integration"].as_dict(len(changes))
        base = runs["baseline"].as_dict(len(changes))
        results[name] = {
            "description": description,
            "reps": reps,
            "changes_after_start": len(changes),
            "integration": integ,
            "baseline": base,
            "ratio_baseline_to_integration": {
                "first_read_mean": ratio(
                    base["first_read_s"]["mean"], integ["first_read_s"]["mean"]
                ),
                "delay_mean": {
                    status: ratio(base["delay_s"][status]["mean"], values["mean"])
                    for status, values in integ["delay_s"].items()
                },
                "requests_per_call": ratio(
                    base["requests_per_call"]["mean"],
                    integ["requests_per_call"]["mean"],
                ),
            },
        }

    # Idle: let the last call settle, then an hour with no call at all. Only requests
    # about calls count: which phone rings is read every 5 minutes whatever happens.
    def call_requests(email: str) -> int:
        return sum(
            sim.count(endpoint, email=email)
            for endpoint in ("profile", "start_call", "get_call")
        )

    await driver.run_until(clock.now + 2 * BASELINE_INTERVAL)
    before = {
        "integration": call_requests(DEFAULT_EMAIL),
        "baseline": call_requests(BASELINE_EMAIL),
    }
    await driver.run_until(clock.now + 3600)
    idle: dict[str, Any] = {
        tracker: call_requests(email) - before[tracker]
        for tracker, email in (
            ("integration", DEFAULT_EMAIL),
            ("baseline", BASELINE_EMAIL),
        )
    }
    unsub_baseline()
    await baseline.async_shutdown()
    # None when the integration sent nothing: the ratio is infinite.
    idle["ratio_baseline_to_integration"] = ratio(idle["baseline"], idle["integration"])
    return {"timelines": results, "idle_requests_per_hour": idle}


# -- phase 2: event-loop time per poll tick (moved time, CPU in real time) ------------


async def phase_poll_tick() -> list[dict[str, Any]]:
    """Measure the loop thread's CPU time per 1 s poll tick with N tracked calls."""
    loop = asyncio.get_running_loop()
    with moved_time(loop) as clock:
        async with home_assistant() as hass:
            sim = BenchSimulator(clock=lambda: clock.now)
            threaded = ThreadedSimulator(sim)
            url = await threaded.start()
            try:
                return await _poll_tick(hass, clock, sim, url)
            finally:
                await threaded.stop()


async def _poll_tick(
    hass: HomeAssistant, clock: VirtualClock, sim: BenchSimulator, url: str
) -> list[dict[str, Any]]:
    """Run phase 2 in a Home Assistant set up with moved time."""
    driver = Driver(hass, clock)
    coordinator = await setup_integration(hass, url)
    rows: list[dict[str, Any]] = []
    for load in TICK_LOADS:
        # A status that does not change: every tick is a steady-state poll of all calls.
        for _ in range(load):
            sim.script_next_call(((0, "dialing_a"),))
        await asyncio.gather(*(call_action(hass) for _ in range(load)))
        await driver.run_until(clock.now + FIRST_POLL_DELAY)
        if len(coordinator.tracked_calls) != load:
            raise RuntimeError("not every call is tracked")
        cpu: list[float] = []
        wall: list[float] = []
        reads: list[int] = []
        gc.collect()
        for _ in range(TICK_SAMPLES):
            before = sim.count("get_call")
            wall_start = time.perf_counter()
            cpu_start = time.thread_time()
            await driver.run_until(clock.now + SETUP_POLL_INTERVAL)
            cpu.append(time.thread_time() - cpu_start)
            wall.append(time.perf_counter() - wall_start)
            reads.append(sim.count("get_call") - before)
        rows.append(
            {
                "tracked_calls": load,
                "reads_per_tick": statistics.fmean(reads),
                "cpu_ms_median": statistics.median(cpu) * 1e3,
                "cpu_ms_p95": percentile(cpu, 0.95) * 1e3,
                "cpu_us_per_call": statistics.median(cpu) * 1e6 / load
                if load
                else None,
                "wall_ms_median": statistics.median(wall) * 1e3,
            }
        )
        # End the calls: the platform forgets them, the next poll reads 404 for each.
        sim.calls.clear()
        await driver.run_until(clock.now + 2 * SETUP_POLL_INTERVAL)
        if coordinator.tracked_calls:
            raise RuntimeError("calls still tracked after the platform forgot them")
    return rows


# -- phase 3: memory after 10,000 finished calls (moved time) --------------------------


def state_sizes(coordinator: ClickToDialCoordinator) -> dict[str, int]:
    """Return the size of the coordinator's per-call containers."""
    containers = {
        "_calls": coordinator.tracker._calls,  # noqa: SLF001
        "_due": coordinator.tracker._due,  # noqa: SLF001
        "_unknown_statuses": coordinator.tracker._unknown_statuses,  # noqa: SLF001
        "_status_listeners": coordinator._status_listeners,  # noqa: SLF001
    }
    sizes = {name: sys.getsizeof(value) for name, value in containers.items()}
    sizes["tracked_calls"] = len(coordinator.tracked_calls)
    return sizes


def live_objects() -> dict[str, int]:
    """Count the integration's per-call objects still alive (after a gc)."""
    kinds = (TrackedCall, StatusChange, Call)
    counts = dict.fromkeys((kind.__name__ for kind in kinds), 0)
    for obj in gc.get_objects():
        if isinstance(obj, kinds):
            counts[type(obj).__name__] += 1
    return counts


async def phase_memory(calls: int) -> dict[str, Any]:
    """Start and finish ``calls`` calls in batches; compare memory before and after."""
    loop = asyncio.get_running_loop()
    with moved_time(loop) as clock:
        async with home_assistant() as hass:
            sim = BenchSimulator(clock=clock.time, wall_clock=clock.utcnow)
            await sim.start()
            try:
                return await _memory(hass, clock, sim, calls)
            finally:
                await sim.stop()


async def _memory(
    hass: HomeAssistant, clock: VirtualClock, sim: BenchSimulator, calls: int
) -> dict[str, Any]:
    """Run phase 3 in a Home Assistant set up with moved time."""
    driver = Driver(hass, clock)
    coordinator = await setup_integration(hass, sim.url)
    peak = {"tracked_calls": 0, "_calls": 0, "_due": 0}

    async def batch(size: int) -> None:
        for _ in range(size):
            sim.script_next_call(SCENARIOS["blacklisted"])
        await asyncio.gather(*(call_action(hass) for _ in range(size)))
        sizes = state_sizes(coordinator)
        for key, value in peak.items():
            peak[key] = max(value, sizes[key])
        # Read at 0.5 s (setting up) and 1.5 s (blacklisted): the calls are finished.
        await driver.run_until(clock.now + 2.0)

    def measure() -> tuple[tracemalloc.Snapshot, dict[str, int]]:
        # The simulator keeps every call and request it saw: that is not ours.
        sim.calls.clear()
        sim.requests.clear()
        sim.post_arrivals.clear()
        gc.collect()
        return tracemalloc.take_snapshot(), {
            **state_sizes(coordinator),
            **live_objects(),
        }

    tracemalloc.start(TRACE_FRAMES)
    try:
        await batch(MEMORY_BATCH)  # warm-up: caches, connections, first-time imports
        await driver.run_until(clock.now + 5)
        snapshots = {"before": measure()}
        halfway_calls = 0
        done = 0
        requests = 0
        while done < calls:
            size = min(MEMORY_BATCH, calls - done)
            await batch(size)
            done += size
            requests += len(sim.requests)
            sim.requests.clear()
            sim.calls.clear()
            if "halfway" not in snapshots and done >= calls // 2:
                await driver.run_until(clock.now + 5)  # the delayed storage write
                snapshots["halfway"] = measure()
                halfway_calls = done
        await driver.run_until(clock.now + 5)
        snapshots["after"] = measure()
    finally:
        tracemalloc.stop()

    ours = [tracemalloc.Filter(True, "*/custom_components/clicktodial/*")]

    def traced(snapshot: tracemalloc.Snapshot) -> dict[str, int]:
        return {
            "traced_bytes": sum(s.size for s in snapshot.statistics("filename")),
            "integration_traced_bytes": sum(
                s.size for s in snapshot.filter_traces(ours).statistics("filename")
            ),
        }

    before, after = snapshots["before"][0], snapshots["after"][0]
    top = [
        {"file": str(stat.traceback[0].filename), "size_diff": stat.size_diff}
        for stat in sorted(
            after.compare_to(before, "filename"), key=lambda s: -abs(s.size_diff)
        )[:3]
    ]
    ours_top = [
        {
            "line": f"{Path(stat.traceback[0].filename).name}:{stat.traceback[0].lineno}",
            "size_diff": stat.size_diff,
            "count_diff": stat.count_diff,
        }
        for stat in sorted(
            after.filter_traces(ours).compare_to(before.filter_traces(ours), "lineno"),
            key=lambda s: -abs(s.size_diff),
        )[:5]
    ]
    return {
        "calls": calls,
        "halfway_calls": halfway_calls,
        "batch": MEMORY_BATCH,
        "requests": requests,
        "peak": peak,
        **{
            key: {**sizes, **traced(snapshot)}
            for key, (snapshot, sizes) in snapshots.items()
        },
        "top_growth": top,
        "integration_top_growth": ours_top,
    }


# -- phase 4: the action's real-time overhead -----------------------------------------


async def phase_action(calls: int, warmup: int) -> dict[str, Any]:
    """Time ``clicktodial.call`` from the service call to the POST at the simulator."""
    async with home_assistant() as hass:
        sim = BenchSimulator(clock=time.perf_counter)
        await sim.start()
        try:
            await setup_integration(hass, sim.url)
            to_post: list[float] = []
            total: list[float] = []
            for _ in range(warmup + calls):
                # Ended in the first answer: not tracked, so no poll runs meanwhile.
                sim.script_next_call(((0, "blacklisted"),))
                start = time.perf_counter()
                await call_action(hass)
                end = time.perf_counter()
                to_post.append(sim.post_arrivals[-1] - start)
                total.append(end - start)
                await hass.async_block_till_done()
        finally:
            await sim.stop()
    measured = {"to_post": to_post[warmup:], "total": total[warmup:]}
    return {
        "calls": calls,
        "warmup": warmup,
        "first_call_ms": {"to_post": to_post[0] * 1e3, "total": total[0] * 1e3},
        **{
            key: {
                "median_ms": statistics.median(values) * 1e3,
                "p95_ms": percentile(values, 0.95) * 1e3,
                "max_ms": max(values) * 1e3,
            }
            for key, values in measured.items()
        },
    }


# -- output ----------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2, unit: str = "") -> str:
    """Format a number, or a dash when there is none."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}{unit}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Return an aligned text table (first column left, the others right)."""
    widths = [
        max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def note(text: str) -> str:
    """Return an explanation, wrapped and indented under a section title."""
    return textwrap.fill(text, width=96, initial_indent="   ", subsequent_indent="   ")


def section_delays(figures: dict[str, Any]) -> list[str]:
    """Return section 1: status-change detection delays."""
    reps = figures["reps"]
    out = [
        "1. Status-change detection delay, seconds (moved time: exact, no I/O latency)",
        note(
            f"Each timeline is played {reps} times, for both trackers at once. In play k "
            f"(k = 0..{reps - 1}) its changes come (k+0.25)/{reps} s later than scripted "
            f"and the end of a conversation another 2(k+0.25)/{reps} s later, so they "
            "fall all over the integration's 1 s and 2 s poll cycles; the call starts "
            f"(k+0.5)*{BASELINE_INTERVAL / reps:g} s after a baseline poll. Delay = when "
            "the tracker saw the status - when the simulator switched to it. 'missed': "
            "the status was over before the tracker read it (not in the mean). Limits: "
            f"first read {FIRST_READ_LIMIT:g} s, set-up changes {SETUP_LIMIT:g} s, end "
            f"of a conversation {END_LIMIT:g} s; 'ok' compares the integration's max. "
            "'given up': from the start until the integration stopped following the "
            "stuck call (5 min after its last change was seen).",
        ),
    ]
    rows: list[list[str]] = []
    for name, result in figures["timelines"].items():
        integ, base = result["integration"], result["baseline"]
        items = [
            (
                "first read",
                FIRST_READ_LIMIT,
                integ["first_read_s"],
                base["first_read_s"],
            )
        ]
        items += [
            (
                status,
                END_LIMIT if status == "disconnected" else SETUP_LIMIT,
                integ["delay_s"][status],
                base["delay_s"][status],
            )
            for status in integ["delay_s"]
        ]
        for label, limit, i, b in items:
            ok = "ok" if i["max"] is not None and i["max"] <= limit else "OVER"
            rows.append(
                [
                    name,
                    label,
                    fmt(limit, 1),
                    fmt(i["mean"]),
                    fmt(i["max"]),
                    ok,
                    fmt(b["mean"]),
                    fmt(b["max"]),
                    f"{b.get('missed', 0)}/{reps}",
                    fmt(ratio(b["mean"], i["mean"]), 1, "x"),
                ]
            )
        if integ["given_up_after_s"]:
            g = integ["given_up_after_s"]
            rows.append(
                [
                    name,
                    "given up",
                    "-",
                    fmt(g["mean"], 1),
                    fmt(g["max"], 1),
                    "",
                    "never",
                    "never",
                    "",
                    "",
                ]
            )
    out.append(
        table(
            [
                "timeline",
                "status",
                "limit",
                "integ mean",
                "integ max",
                "",
                "base mean",
                "base max",
                "base missed",
                "mean b/i",
            ],
            rows,
        )
    )
    return out


def section_requests(figures: dict[str, Any]) -> list[str]:
    """Return sections 2 and 3: requests per call and while idle."""
    idle = figures["idle_requests_per_hour"]
    out = [
        "2. Status requests per call",
        note(
            "Reads of the call from its start until the tracker saw its end (stuck: "
            "until the integration gave up, for both). Per change = reads / status "
            "changes after the start: 1 is the least a tracker that sees every change "
            "needs; below 1 means changes were missed. Break-even = calls per hour at "
            f"which the integration sends as many requests as the baseline's "
            f"{idle['baseline']} per hour. Writes = the integration's storage writes "
            "while it follows the call.",
        ),
    ]
    rows = []
    for name, result in figures["timelines"].items():
        integ, base = result["integration"], result["baseline"]
        per_call = integ["requests_per_call"]["mean"]
        rows.append(
            [
                name,
                str(result["changes_after_start"]),
                fmt(per_call, 1),
                fmt(integ["requests_per_change"], 1),
                fmt(base["requests_per_call"]["mean"], 1),
                fmt(base["requests_per_change"], 2),
                fmt(ratio(base["requests_per_call"]["mean"], per_call), 2, "x"),
                fmt(ratio(idle["baseline"], per_call), 1),
                fmt(integ["storage_writes_per_call"], 1),
            ]
        )
    out.append(
        table(
            [
                "timeline",
                "changes",
                "integ req",
                "integ req/change",
                "base req",
                "base req/change",
                "b/i",
                "break-even calls/h",
                "integ writes",
            ],
            rows,
        )
    )
    out += [
        "",
        "3. Requests about calls per hour while idle (one hour without calls, after "
        "the calls above; which phone rings is read 12 times an hour besides)",
        table(
            ["tracker", "requests/h"],
            [
                ["integration (goal 0)", str(idle["integration"])],
                ["baseline (polls the latest call)", str(idle["baseline"])],
                [
                    "b/i",
                    fmt(ratio(idle["baseline"], idle["integration"]), 1, "x")
                    if idle["integration"]
                    else "inf (integration sends none)",
                ],
            ],
        ),
    ]
    return out


def section_action(figures: dict[str, Any]) -> list[str]:
    """Return section 4: the action's real-time overhead."""
    action = figures["action"]
    rows = [
        [
            label,
            fmt(action[key]["median_ms"], 3),
            fmt(action[key]["p95_ms"], 3),
            fmt(action[key]["max_ms"], 3),
            fmt(action["first_call_ms"][key], 3),
        ]
        for key, label in (
            ("to_post", "service call -> POST reaches the simulator"),
            ("total", "service call -> action returns"),
        )
    ]
    return [
        f"4. Action overhead, real time, {action['calls']} calls after "
        f"{action['warmup']} warm-up calls",
        note(
            "perf_counter() just before hass.services.async_call('clicktodial', 'call', "
            "blocking=True, return_response=True), against perf_counter() when the "
            "simulator's POST handler is entered (headers parsed; simulator in the same "
            "event loop), and when the action returns. The calls end in the platform's "
            "first answer, so no poll runs meanwhile. 'first' = the very first call.",
        ),
        table(["measure", "median ms", "p95 ms", "max ms", "first ms"], rows),
    ]


def section_ticks(figures: dict[str, Any]) -> list[str]:
    """Return section 5: event-loop time per poll tick."""
    rows = [
        [
            str(row["tracked_calls"]),
            fmt(row["reads_per_tick"], 1),
            fmt(row["cpu_ms_median"], 3),
            fmt(row["cpu_ms_p95"], 3),
            fmt(row["cpu_us_per_call"], 0),
            fmt(row["wall_ms_median"], 3),
        ]
        for row in figures["poll_tick"]
    ]
    return [
        "5. Event-loop time per poll tick, by number of tracked calls",
        note(
            f"N calls started together in a set-up status that does not change, then "
            f"{TICK_SAMPLES} ticks of 1 s of moved time each. A tick runs everything "
            "due: one poll (N GETs gathered), the client's HTTP work, the delayed "
            "storage write. CPU = time.thread_time() of the event loop's thread over "
            "the tick; the simulator serves from a second thread, so its work is not "
            "counted (it is in 'wall'). N = 0 is the bench's own stepping cost.",
        ),
        table(
            [
                "tracked calls",
                "GETs/tick",
                "CPU ms median",
                "CPU ms p95",
                "CPU us/call",
                "wall ms median",
            ],
            rows,
        ),
    ]


def section_memory(figures: dict[str, Any]) -> list[str]:
    """Return section 6: memory after many finished calls."""
    mem = figures["memory"]

    def kib(value: int) -> str:
        return f"{value / 1024:,.1f}"

    def row(label: str, key: str, show: Callable[[int], str] = str) -> list[str]:
        peak = mem["peak"].get(key)
        return [
            label,
            show(mem["before"][key]),
            "" if peak is None else show(peak),
            show(mem["halfway"][key]),
            show(mem["after"][key]),
        ]

    rows = [
        row("len(coordinator.tracked_calls)", "tracked_calls"),
        row("sys.getsizeof(coordinator._calls), B", "_calls"),
        row("sys.getsizeof(coordinator._due), B", "_due"),
        row("live TrackedCall objects", "TrackedCall"),
        row("live StatusChange objects", "StatusChange"),
        row("live Call objects", "Call"),
        row("traced memory, whole process, KiB", "traced_bytes", kib),
        row(
            "traced memory, allocated by the integration, KiB",
            "integration_traced_bytes",
            kib,
        ),
    ]
    growth = ", ".join(
        f"{Path(t['file']).parent.name}/{Path(t['file']).name} "
        f"{t['size_diff'] / 1024:+.1f} KiB"
        for t in mem["top_growth"]
    )
    return [
        f"6. Memory: {mem['calls']:,} calls started and finished (moved time)",
        note(
            f"The 'blacklisted' timeline, {mem['batch']} calls at a time through the "
            f"action ({mem['requests']:,} requests). Before = after {mem['batch']} "
            "warm-up calls; peak = right after a batch was started; 'after N' = once N "
            "calls have finished. Live objects are "
            "counted with gc.get_objects(); traced memory is tracemalloc (1 frame) "
            "after gc.collect(), the simulator's own records of calls and requests "
            "cleared first.",
        ),
        table(
            [
                "",
                "before",
                "peak",
                f"after {mem['halfway_calls']:,}",
                f"after {mem['calls']:,}",
            ],
            rows,
        ),
        note(f"Largest changes of traced memory by file: {growth}."),
    ]


def report(figures: dict[str, Any]) -> str:
    """Return the whole report as text."""
    env = figures["environment"]
    out = [
        f"clicktodial benchmark - Home Assistant {env['home_assistant']}, Python "
        f"{env['python']}, {env['cpus']} CPUs; the simulator over HTTP on 127.0.0.1.",
        note(
            "integ = this integration (clicktodial.call, then adaptive polling). base = "
            "baseline: a DataUpdateCoordinator with update_interval=30 s reading the "
            "latest call through the same VoipgridClient.get_call (on its own simulator "
            "account, started with the same timeline at the same moment). b/i = "
            "baseline / integration.",
        ),
        "",
        *section_delays(figures),
        "",
        *section_requests(figures),
        "",
        *section_action(figures),
        "",
        *section_ticks(figures),
        "",
        *section_memory(figures),
        "",
        f"Run time: {figures['run_time_s']:.0f} s",
    ]
    return "\n".join(out)


# -- main ------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures as JSON"
    )
    parser.add_argument(
        "--reps", type=int, default=6, help="plays of each timeline (default 6)"
    )
    parser.add_argument(
        "--memory-calls",
        type=int,
        default=10_000,
        help="calls for the memory figure (default 10000)",
    )
    parser.add_argument(
        "--action-calls",
        type=int,
        default=200,
        help="calls for the action overhead (default 200)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show Home Assistant's warnings"
    )
    return parser.parse_args()


def main() -> None:
    """Run every phase, print the table, write the JSON."""
    args = parse_args()
    logging.basicConfig(level=logging.WARNING if args.verbose else logging.ERROR)
    random.seed(0)  # the baseline coordinator's random offset
    # Refuse any connection but to 127.0.0.1, as the tests' plugin does.
    pytest_socket.socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)
    started = time.perf_counter()

    def step(label: str) -> None:
        print(
            f"[{time.perf_counter() - started:6.1f} s] {label}",
            file=sys.stderr,
            flush=True,
        )

    step("timelines and idle hour (moved time)")
    phase1 = asyncio.run(phase_timelines(args.reps))
    step("event-loop time per poll tick")
    ticks = asyncio.run(phase_poll_tick())
    step(f"memory after {args.memory_calls:,} calls (moved time)")
    memory = asyncio.run(phase_memory(args.memory_calls))
    step(f"action overhead over {args.action_calls} calls (real time)")
    action = asyncio.run(phase_action(args.action_calls, warmup=10))
    figures: dict[str, Any] = {
        "environment": {
            "home_assistant": ha_version,
            "python": platform.python_version(),
            "cpus": len(os.sched_getaffinity(0)),
            "contract_s": {
                "first_read": FIRST_READ_LIMIT,
                "setup_change": SETUP_LIMIT,
                "end_of_connected_call": END_LIMIT,
            },
            "poll_intervals_s": {
                "first": FIRST_POLL_DELAY,
                "setup": SETUP_POLL_INTERVAL,
                "connected": CONNECTED_POLL_INTERVAL,
                "baseline": BASELINE_INTERVAL,
            },
        },
        "reps": args.reps,
        **phase1,
        "poll_tick": ticks,
        "memory": memory,
        "action": action,
    }
    figures["run_time_s"] = time.perf_counter() - started
    text = report(figures)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"Figures written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
