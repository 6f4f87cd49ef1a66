"""Benchmark the call tracking against the simulator, beside a fixed 30 s polling baseline.

Run it through ``scripts/bench``: it prints the body of CONTRIBUTING.md's Benchmark section,
whether the contract was met, and every figure as JSON. ``--markdown`` prints the
section alone, ``--json FILE`` also writes the figures to a file, ``--figures FILE`` prints
figures written before instead of measuring.

The integration runs in a real Home Assistant (``async_test_home_assistant``) against the
simulator over HTTP on 127.0.0.1, set up and called as the tests do (``tests/helpers.py``).
Moved time (``tests/timing.py``) jumps from timer to timer and stands still while a request
is in flight, so delays and request counts are exact. In play k of a timeline its changes
come (k+0.25)/reps of the poll intervals later than scripted, and the calls start
(k+0.5)*30/reps s after a poll of the baseline, which reads the latest call every 30 s
through the same client, on its own account. The timelines are played once more with
call notifications: Home Assistant's HTTP API on 127.0.0.1 is its own external URL and the
simulator pushes each click-to-dial call to the webhook as its timeline gets there. The action's overhead runs in real time; the
poll ticks measure the CPU time of the event loop's thread while the simulator serves from
another thread. The integration's state is read from its tracker (``tracker.CallTracker``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Iterator
import contextlib
from datetime import datetime, timedelta
import gc
import json
from pathlib import Path
import statistics
import sys
import textwrap
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Import this repository's integration first, as tests/conftest.py does: it is then the
# one Home Assistant loads.
import custom_components.clicktodial  # noqa: F401

# isort: split


from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial import const
from custom_components.clicktodial.calls.coordinator import ClickToDialCoordinator
from custom_components.clicktodial.calls.tracker import StatusChange, TrackedCall
from custom_components.clicktodial.voipgrid import Call, VoipgridClient, parse_status
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from scripts.bench_harness import (
    environment,
    home_assistant,
    percentile,
    prepare,
    reachable,
    serving,
)
from simulator import (
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    PUSH_LAG,
    SCENARIOS,
    Simulator,
    Timeline,
)
from tests.helpers import NUMBER, account_entry, start_call, timeline_changes
from tests.timing import TimeDriver, VirtualClock, moved_time

BASELINE_EMAIL, BASELINE_TOKEN = "baseline@example.com", "baseline-token"
BASELINE_INTERVAL = 30.0
EMAILS = {"integration": DEFAULT_EMAIL, "baseline": BASELINE_EMAIL}
# The timelines played, as CONTRIBUTING.md names them.
TIMELINES = {
    "failed_b": "short failed call",
    "normal": "normal 30 s call",
    "long": "10 min call",
    "stuck": "stuck in set-up (5 min)",
}
# The contract: the first read within 1 s, set-up changes within 1.5 s, the end of a
# conversation within 3 s.
LIMITS = {"first_read": 1.0, "setup_change": 1.5, "end_of_connected_call": 3.0}
# With call notifications: each end seen within 1 s of its push, and a 10 min call costs
# at most 40 status requests.
PUSHED_LIMITS = {"end_seen_after_push_s": 1.0, "ten_minute_call_requests": 40}
TICK_LOADS = (0, 1, 10, 100)
BATCH = 100

type Bench = tuple[HomeAssistant, Simulator, ClickToDialCoordinator]


# -- set-up ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def bench(
    clock: VirtualClock | None = None,
    threaded: bool = False,
    notifications: bool = False,
) -> AsyncIterator[Bench]:
    """Run a test Home Assistant and the simulator, in moved time by ``clock`` or real.

    With ``notifications`` the account's call notifications are on: Home Assistant's HTTP
    API on 127.0.0.1 is its own external URL, and the simulator pushes the calls started
    through click-to-dial to its webhook.
    """
    # The action's overhead compares the simulator's clock with perf_counter().
    sim = Simulator(clock=clock.time if clock else time.perf_counter)
    if clock:
        sim.wall_clock = clock.utcnow
    sim.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN)
    sim.add_account(BASELINE_EMAIL, BASELINE_TOKEN, first_name="Baseline")
    sim.push_started_calls = notifications
    async with (
        home_assistant() as hass,
        serving(sim, threaded=threaded),
        reachable(hass) if notifications else contextlib.nullcontext(0),
    ):
        entry = account_entry(sim, notifications=False)
        if notifications:
            entry = MockConfigEntry(
                domain=entry.domain,
                title=entry.title,
                unique_id=entry.unique_id,
                data=entry.data,
                options={const.CONF_CALL_NOTIFICATIONS: True},
            )
        entry.add_to_hass(hass)
        if not await hass.config_entries.async_setup(entry.entry_id):
            raise RuntimeError("the integration did not set up")
        await hass.async_block_till_done(wait_background_tasks=notifications)
        if notifications and len(sim.subscriptions) != 1:
            raise RuntimeError("the webhook was not subscribed")
        yield hass, sim, entry.runtime_data.coordinator


# -- measuring ---------------------------------------------------------------------------


def summary(values: list[float], **extra: Any) -> dict[str, Any]:
    """Return count, mean and max of ``values`` (None when empty)."""
    mean = statistics.fmean(values) if values else None
    return {"n": len(values), "mean": mean, "max": max(values, default=None), **extra}


def shifted(timeline: Timeline, part: float) -> Timeline:
    """Return the timeline with its changes ``part`` of the poll intervals so far later."""
    changes: list[tuple[float, str | None]] = []
    interval = const.SETUP_POLL_INTERVAL
    for offset, raw in timeline:
        changes.append((offset + part * interval if offset > 0 else 0.0, raw))
        if raw == "connected":  # later changes: part of the connected interval too
            interval += const.CONNECTED_POLL_INTERVAL
    return tuple(changes)


class Timelines:
    """The integration and a baseline, following calls of the same timelines."""

    def __init__(self, bench: Bench, clock: VirtualClock, reps: int) -> None:
        """Prepare the baseline's client beside the integration."""
        self.hass, self.sim, self.coordinator = bench
        self.driver = TimeDriver(self.hass, clock)
        self.reps = reps
        self.writes: list[float] = []
        self.polls: list[float] = []
        self.latest: Call | None = None
        session, url = async_get_clientsession(self.hass), self.sim.url
        self.client = VoipgridClient(
            session,
            base_url=url,
            email=BASELINE_EMAIL,
            api_token=BASELINE_TOKEN,
            clock=self.hass.loop.time,
        )

    async def poll(self, _now: datetime) -> None:
        """Read the latest call, as most polling integrations do every 30 s, always."""
        self.polls.append(self.hass.loop.time())
        if self.latest is not None:
            self.latest = await self.client.get_call(self.latest.call_id)

    async def run(self) -> dict[str, Any]:
        """Play each timeline ``reps`` times for both trackers, then idle for an hour."""
        write_data = Store._async_write_data

        async def counted_write(store: Store[Any], data: Any) -> None:
            if store.key.startswith(f"{const.DOMAIN}."):
                self.writes.append(self.hass.loop.time())
            await write_data(store, data)

        interval = timedelta(seconds=BASELINE_INTERVAL)
        unsub = async_track_time_interval(self.hass, self.poll, interval)
        results: dict[str, Any] = {}
        with patch.object(Store, "_async_write_data", counted_write):
            for name in TIMELINES:
                plays = [await self.play(name, k) for k in range(self.reps)]
                results[name] = {
                    "changes_after_start": len(timeline_changes(SCENARIOS[name])) - 1,
                    **{tracker: aggregate(plays, tracker) for tracker in EMAILS},
                }
        # Idle: let the last call settle, then an hour with no call at all. Only requests
        # about calls count: which phone rings is read every 5 minutes whatever happens.
        await self.driver.run_for(2 * BASELINE_INTERVAL)
        before = {key: self.call_requests(email) for key, email in EMAILS.items()}
        queues_before = self.sim.count("queues", email=DEFAULT_EMAIL)
        await self.driver.run_for(3600)
        idle = {k: self.call_requests(e) - before[k] for k, e in EMAILS.items()}
        # The queue sensors are disabled by default: their queues are not read.
        queues = self.sim.count("queues", email=DEFAULT_EMAIL) - queues_before
        unsub()
        return {
            "reps": self.reps,
            "timelines": results,
            "idle_requests_per_hour": idle,
            "idle_queue_requests_per_hour": queues,
        }

    def call_requests(self, email: str) -> int:
        """Count one account's requests about calls."""
        return sum(
            self.sim.count(endpoint, email=email)
            for endpoint in ("profile", "start_call", "get_call")
        )

    async def play(self, name: str, k: int) -> dict[str, dict[str, Any]]:
        """Play a timeline once for both trackers; return what each saw, and when."""
        # Each play puts the changes at another point of the integration's poll cycles,
        # and the start at another point of the baseline's.
        timeline = shifted(SCENARIOS[name], (k + 0.25) / self.reps)
        polls = len(self.polls)
        await self.driver.run_for(60, lambda: len(self.polls) > polls)
        await self.driver.run_until(self.polls[-1] + (k + 0.5) * 30 / self.reps)
        self.sim.script_next_call(timeline)
        self.sim.script_next_call(timeline)
        ids = {"integration": await start_call(self.hass)}
        self.latest = await self.client.start_call(NUMBER)
        ids["baseline"] = self.latest.call_id
        started = self.sim.calls[ids["integration"]].started_at
        assert self.sim.calls[ids["baseline"]].started_at == started
        changes = timeline_changes(timeline)[1:]
        final = changes[-1][1]

        def done() -> bool:
            # The stuck call never ends: both are compared until the integration gave up.
            seen = name == "stuck" or self.latest.status is final  # type: ignore[union-attr]
            tracked = {call.call_id for call in self.coordinator.tracked_calls}
            return seen and ids["integration"] not in tracked

        limit = started + timeline[-1][0] + const.STUCK_AFTER.total_seconds() + 120
        if not await self.driver.run_until(limit, done):
            raise RuntimeError(f"{name}: a tracker did not see the call end")
        result: dict[str, dict[str, Any]] = {}
        ends: list[float] = []
        for tracker, call_id in ids.items():
            # What each read saw: the simulator's status of the call at that moment.
            path, call = f"/api/clicktodial/{call_id}/", self.sim.calls[call_id]
            reads = [r.at for r in self.sim.requests if r.path == path]
            seen: dict[Any, float] = {}
            for at in reads:
                seen.setdefault(parse_status(call.raw_status(at)), at)
            # Reads count until the tracker saw the end; the integration stops reading
            # there. The stuck call counts until the integration gave up.
            end = ends[0] if ends else reads[-1]
            ends.append(end if name == "stuck" else seen.get(final, end))
            result[tracker] = {
                "delay_s": {
                    s.value: None if (saw := seen.get(s)) is None else saw - started - t
                    for t, s in changes
                },
                "first_read_s": reads[0] - started,
                "requests_per_call": sum(at <= ends[-1] for at in reads),
            }
        end = ends[0]
        # The tracked calls are saved after a change, STORAGE_SAVE_DELAY later.
        saved = end + const.STORAGE_SAVE_DELAY + 0.5
        writes = sum(started <= at <= saved for at in self.writes)
        result["integration"]["storage_writes_per_call"] = writes
        if name == "stuck":
            result["integration"]["given_up_after_s"] = end - started
        return result


def aggregate(plays: list[dict[str, dict[str, Any]]], tracker: str) -> dict[str, Any]:
    """Return a tracker's figures over the plays of a timeline."""
    got = [p[tracker] for p in plays]
    delays = {
        status: [d for p in got if (d := p["delay_s"][status]) is not None]
        for status in got[0]["delay_s"]
    }
    return {
        "delay_s": {
            status: summary(values, missed=len(got) - len(values))
            for status, values in delays.items()
        },
        **{key: summary([p[key] for p in got]) for key in got[0] if key != "delay_s"},
    }


async def phase_timelines(reps: int) -> dict[str, Any]:
    """Play the timelines and an idle hour, in moved time."""
    with moved_time(asyncio.get_running_loop()) as clock:
        async with bench(clock) as running:
            return await Timelines(running, clock, reps).run()


async def phase_pushed(reps: int) -> dict[str, Any]:
    """Play the timelines with every call pushed to the webhook, in moved time.

    The simulator pushes each call as the platform pushes calls (``ringing``,
    ``in-progress``, ``ended``) when its timeline gets there; time stands still while a
    notification is on its way.
    """
    results: dict[str, Any] = {}
    with moved_time(asyncio.get_running_loop()) as clock:
        async with bench(clock, notifications=True) as (hass, sim, coordinator):

            async def settle(hass: HomeAssistant) -> None:
                await hass.async_block_till_done(wait_background_tasks=True)
                await sim.delivered()
                await hass.async_block_till_done(wait_background_tasks=True)

            driver = TimeDriver(hass, clock, settle)
            for name in TIMELINES:
                plays = []
                for k in range(reps):
                    # The changes at another point of the poll cycles in each play.
                    timeline = shifted(SCENARIOS[name], (k + 0.25) / reps)
                    await driver.run_for(60)
                    sim.script_next_call(timeline)
                    call_id = await start_call(hass)
                    call = sim.calls[call_id]

                    def done(call_id: str = call_id) -> bool:
                        tracked = {c.call_id for c in coordinator.tracked_calls}
                        return call_id not in tracked

                    limit = const.STUCK_AFTER.total_seconds() + 120
                    if not await driver.run_for(timeline[-1][0] + limit, done):
                        raise RuntimeError(f"{name}: the call was never left")
                    path = f"/api/clicktodial/{call_id}/"
                    reads = [r.at for r in sim.requests if r.path == path]
                    # When the last status was first read, after the end was pushed.
                    final = parse_status(call.raw_status(reads[-1]))
                    seen = next(
                        at for at in reads if parse_status(call.raw_status(at)) is final
                    )
                    plays.append(
                        {
                            "requests_per_call": len(reads),
                            "end_seen_after_push_s": (
                                None
                                if name == "stuck"
                                else seen - call.started_at - timeline[-1][0] - PUSH_LAG
                            ),
                        }
                    )
                results[name] = {
                    key: summary([v for p in plays if (v := p[key]) is not None])
                    for key in plays[0]
                }
            pushed = len(sim.deliveries)
    return {"reps": reps, "timelines": results, "notifications_pushed": pushed}


async def phase_action(calls: int, warmup: int) -> dict[str, Any]:
    """Time ``clicktodial.call`` from the service call to the POST at the simulator."""
    measured: dict[str, list[float]] = {"to_post": [], "total": []}
    async with bench() as (hass, sim, _):
        for _ in range(warmup + calls):
            # Ended in the first answer: not tracked, so no poll runs meanwhile.
            sim.script_next_call(((0, "blacklisted"),))
            start = time.perf_counter()
            await start_call(hass)
            measured["total"].append(time.perf_counter() - start)
            measured["to_post"].append(sim.requests[-1].at - start)
            await hass.async_block_till_done()
    figures: dict[str, Any] = {"calls": calls, "warmup": warmup}
    for key, values in measured.items():
        figures[key] = {
            "median_ms": statistics.median(values[warmup:]) * 1e3,
            "p95_ms": percentile(values[warmup:], 0.95) * 1e3,
            "max_ms": max(values[warmup:]) * 1e3,
            "first_ms": values[0] * 1e3,
        }
    return figures


async def phase_poll_tick() -> list[dict[str, Any]]:
    """Measure the loop thread's CPU time per 1 s poll tick with N tracked calls."""
    rows = []
    with moved_time(asyncio.get_running_loop()) as clock:
        async with bench(clock, threaded=True) as (hass, sim, coordinator):
            driver = TimeDriver(hass, clock)
            for load in TICK_LOADS:
                # A status that does not change: each tick polls all calls, steadily.
                for _ in range(load):
                    sim.script_next_call(((0, "dialing_a"),))
                await asyncio.gather(*(start_call(hass) for _ in range(load)))
                await driver.run_for(const.FIRST_POLL_DELAY)
                assert len(coordinator.tracked_calls) == load
                cpu, wall, reads = [], [], []
                gc.collect()
                for _ in range(30):
                    before = sim.count("get_call")
                    wall_start, cpu_start = time.perf_counter(), time.thread_time()
                    await driver.run_for(const.SETUP_POLL_INTERVAL)
                    cpu.append(time.thread_time() - cpu_start)
                    wall.append(time.perf_counter() - wall_start)
                    reads.append(sim.count("get_call") - before)
                # The platform forgets the calls: the next poll reads 404 for each.
                sim.calls.clear()
                await driver.run_for(2 * const.SETUP_POLL_INTERVAL)
                assert not coordinator.tracked_calls
                median = statistics.median(cpu)
                rows.append(
                    {
                        "tracked_calls": load,
                        "reads_per_tick": statistics.fmean(reads),
                        "cpu_ms_median": median * 1e3,
                        "cpu_ms_p95": percentile(cpu, 0.95) * 1e3,
                        "cpu_us_per_call": median * 1e6 / load if load else None,
                        "wall_ms_median": statistics.median(wall) * 1e3,
                    }
                )
    return rows


def state(coordinator: ClickToDialCoordinator) -> dict[str, int]:
    """Return the tracked calls, the size of their containers and the live call objects."""
    tracker, kinds = coordinator.tracker, (TrackedCall, StatusChange, Call)
    counts = {
        "tracked_calls": len(tracker.calls),
        "_due": sys.getsizeof(tracker._schedule._due),
    }
    counts["_calls"] = sys.getsizeof(tracker._calls)
    counts |= dict.fromkeys((kind.__name__ for kind in kinds), 0)
    for obj in gc.get_objects():
        if isinstance(obj, kinds):
            counts[type(obj).__name__] += 1
    return counts


async def phase_memory(calls: int) -> dict[str, Any]:
    """Start and finish ``calls`` calls in batches; compare memory before and after."""
    ours = [tracemalloc.Filter(True, "*/custom_components/clicktodial/*")]
    figures: dict[str, Any] = {"calls": calls, "batch": BATCH, "requests": 0}
    peak = 0
    snapshots = {}
    with moved_time(asyncio.get_running_loop()) as clock:
        async with bench(clock) as (hass, sim, coordinator):
            driver = TimeDriver(hass, clock)

            async def batch(size: int) -> None:
                nonlocal peak
                for _ in range(size):
                    sim.script_next_call(SCENARIOS["blacklisted"])
                await asyncio.gather(*(start_call(hass) for _ in range(size)))
                peak = max(peak, len(coordinator.tracked_calls))
                # Read at 0.5 s (setting up) and 1.5 s (blacklisted): all ended.
                await driver.run_for(2.0)
                figures["requests"] += len(sim.requests)
                sim.requests.clear()
                sim.calls.clear()

            async def measure(key: str) -> None:
                await driver.run_for(5)  # the delayed storage write
                gc.collect()
                snapshot = snapshots[key] = tracemalloc.take_snapshot()
                every = snapshot.statistics("filename")
                mine = snapshot.filter_traces(ours).statistics("filename")
                figures[key] = state(coordinator) | {
                    "traced_bytes": sum(s.size for s in every),
                    "integration_traced_bytes": sum(s.size for s in mine),
                }

            tracemalloc.start(1)
            try:
                await batch(BATCH)  # warm-up: caches, connections, first imports
                figures["requests"] = 0
                await measure("before")
                for done in range(0, calls, BATCH):
                    await batch(min(BATCH, calls - done))
                await measure("after")
            finally:
                tracemalloc.stop()
    figures["peak_tracked_calls"] = peak
    growth = snapshots["after"].compare_to(snapshots["before"], "filename")
    figures["top_growth"] = {
        str(s.traceback[0].filename): s.size_diff
        for s in sorted(growth, key=lambda s: -abs(s.size_diff))[:3]
    }
    return figures


# -- output ------------------------------------------------------------------------------


def short(value: float | None) -> str:
    """Format a number to two decimals below 10, one below 100, none above."""
    if value is None:
        return "-"
    return f"{value:.{2 if value < 10 else 1 if value < 100 else 0}f}"


def pair(values: dict[str, Any]) -> str:
    """Return 'mean / max' of a summary, or a dash."""
    if values["mean"] is None:
        return "-"
    return f"{short(values['mean'])} / {short(values['max'])}"


def two(value: float) -> str:
    """Format a number to two significant digits (a whole number from 10)."""
    return f"{value:#.2g}" if value < 9.95 else f"{value:.0f}"


def delays(timeline: dict[str, Any]) -> Iterator[tuple[str, float, Any, Any]]:
    """Yield each status of a timeline, its limit, and both trackers' delays."""
    i, b = timeline["integration"], timeline["baseline"]
    yield "first read", LIMITS["first_read"], i["first_read_s"], b["first_read_s"]
    for status, values in i["delay_s"].items():
        kind = "end_of_connected_call" if status == "disconnected" else "setup_change"
        yield f"`{status}`", LIMITS[kind], values, b["delay_s"][status]


def per_call(timeline: dict[str, Any]) -> tuple[float, float, float, float]:
    """Return the requests per call and per change of the integration and the baseline."""
    changes = timeline["changes_after_start"]
    integ, base = (timeline[t]["requests_per_call"]["mean"] for t in EMAILS)
    return integ, integ / changes, base, base / changes


def markdown(f: dict[str, Any]) -> str:
    """Return the body of CONTRIBUTING.md's Benchmark section."""
    t, mem = f["timelines"], f["memory"]
    rows = []
    # The normal call in full; of the failed and the stuck call, how they end.
    for name, shown in (("normal", None), ("failed_b", "`failing_b`")):
        timeline = TIMELINES[name] + " "
        for label, _, integ, base in delays(t[name]):
            if shown in (None, label):
                missed = f"{base.get('missed', 0)}/{f['reps']}"
                rows.append(
                    f"| {timeline}| {label} | {pair(integ)} | {pair(base)} | {missed} |"
                )
                timeline = ""
    given_up = short(t["stuck"]["integration"]["given_up_after_s"]["mean"])
    rows.append(f"| call stuck in set-up | given up after | {given_up} s | never | |")
    requests = []
    pushed = f["pushed"]["timelines"]
    for name, label in TIMELINES.items():
        integ, integ_change, base, base_change = per_call(t[name])
        misses = " (misses changes)" if base_change < 1 else ""
        with_pushes = pushed[name]["requests_per_call"]["mean"]
        requests.append(
            f"| {label} | {integ:.1f} | {integ_change:.1f} | {with_pushes:.1f} | "
            f"{base:.1f} / {base_change:.2f}{misses} |"
        )
    end_after_push = max(
        timeline["end_seen_after_push_s"]["max"]
        for name, timeline in pushed.items()
        if name != "stuck"
    )
    normal, _, normal_base, _ = per_call(t["normal"])
    tick = {row["tracked_calls"]: two(row["cpu_ms_median"]) for row in f["poll_tick"]}
    cost = [row["cpu_us_per_call"] / 1000 for row in f["poll_tick"][-2:]]
    tracked = mem["after"]["tracked_calls"]
    text = SECTION.format(
        **f["environment"],
        reps=f["reps"],
        delays="\n".join(rows),
        requests="\n".join(requests),
        long_pushed=pushed["long"]["requests_per_call"]["mean"],
        long_polled=t["long"]["integration"]["requests_per_call"]["mean"],
        end_after_push=end_after_push,
        idle=f["idle_requests_per_hour"],
        idle_queues=f.get("idle_queue_requests_per_hour", "-"),
        asked=normal / normal_base,
        break_even=f["idle_requests_per_hour"]["baseline"] / normal,
        action=f["action"],
        tick=tick,
        per_call=two(cost[1]),
        linear=": linear" if abs(cost[1] / cost[0] - 1) < 0.25 else "",
        memory_calls=mem["calls"],
        tracked=f"{tracked} are tracked" if tracked else "nothing is tracked any more",
        kib=mem["after"]["integration_traced_bytes"] / 1024,
    )
    # Tables as they are; paragraphs and list items wrapped as in CONTRIBUTING.md.
    return "\n".join(
        line
        if line.startswith("|")
        else textwrap.fill(line, 92, subsequent_indent=" " * 2 * line.startswith("- "))
        for line in text.splitlines()
    )


# One line per paragraph and list item; wrapped when printed.
SECTION = """\
`scripts/bench` (add `--json FILE` for the same figures as JSON, `--markdown` for this section alone) plays scripted calls on the simulator over HTTP, with moved time where that is exact, and compares the integration with a baseline that polls the latest call every 30 s, as most polling integrations do. On this project's {cpus}-core test machine (Home Assistant {home_assistant}, Python {python}; each timeline played {reps} times at different moments of the poll cycles):

| Timeline | Status | Detection delay, mean / max (s) | Baseline, mean / max (s) | Baseline missed it |
|---|---|---|---|---|
{delays}

| Timeline | Status requests per call | Requests per status change | With call notifications | Baseline: requests / per change |
|---|---|---|---|---|
{requests}

- **With call notifications** (call notifications switched on, and the simulator pushing each call started through click-to-dial to Home Assistant's webhook over HTTP, as an outgoing call once the number called rings): a 10 min call costs {long_pushed:.1f} status requests instead of {long_polled:.1f}, as each pushed event reads the call at once and, once an event of its number came, the conversation is read every 30 s; each end was read {end_after_push:.2f} s after its push at most (in moved time, where a request takes no time: the push's and the read's round trips come on top, a millisecond or two each on loopback, see the call notifications benchmark). Without pushes the figures are those of the column before.
- **Idle**: {idle[integration]} requests about calls per hour (baseline: {idle[baseline]}); which phone rings is read 12 times an hour besides; the call queues {idle_queues} times, their sensors disabled (as they are by default).
- **Cost of being fast**: while a call is going on the integration asks ~{asked:.0f} times as often as the baseline; it sends more requests in total than the baseline above ~{break_even:.0f} normal calls an hour, and none at all in the hours between.
- **Action overhead** (real time, {action[calls]} calls): {action[to_post][median_ms]:.2f} ms median, {action[to_post][p95_ms]:.2f} ms p95 from `hass.services.async_call` to the POST reaching the simulator.
- **Event-loop time per poll tick**: {tick[1]} ms with 1 tracked call, {tick[10]} ms with 10, {tick[100]} ms with 100 (about {per_call} ms per call{linear}).
- **Memory**: after {memory_calls:,} finished calls {tracked}; the integration's own allocations stay at ~{kib:.0f} KiB."""


def contract(f: dict[str, Any]) -> str:
    """Return whether the integration met the contract in every play."""
    over = [
        f"{name} {label}: {integ['max']} s > {limit} s"
        for name, timeline in f["timelines"].items()
        for label, limit, integ, _ in delays(timeline)
        if integ["max"] is None or integ["max"] > limit
    ]
    pushed = f["pushed"]["timelines"]
    limit = PUSHED_LIMITS["end_seen_after_push_s"]
    over += [
        f"{name} with call notifications: end seen {seen} s after its push > {limit} s"
        for name, timeline in pushed.items()
        if (seen := timeline["end_seen_after_push_s"]["max"]) is not None
        and seen > limit
    ]
    most = pushed["long"]["requests_per_call"]["max"]
    if most > PUSHED_LIMITS["ten_minute_call_requests"]:
        over.append(f"10 min call with call notifications: {most} status requests")
    return "Contract met in every play." if not over else "OVER: " + "; ".join(over)


# -- main --------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run every phase and return the figures."""
    prepare()
    started = time.perf_counter()

    def step(label: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {label}", file=sys.stderr)

    step("timelines and idle hour (moved time)")
    figures = asyncio.run(phase_timelines(args.reps))
    step("the timelines again, every call pushed (moved time)")
    figures["pushed"] = asyncio.run(phase_pushed(args.reps))
    step("event-loop time per poll tick")
    figures["poll_tick"] = asyncio.run(phase_poll_tick())
    step(f"memory after {args.memory_calls:,} calls (moved time)")
    figures["memory"] = asyncio.run(phase_memory(args.memory_calls))
    step(f"action overhead over {args.action_calls} calls (real time)")
    figures["action"] = asyncio.run(phase_action(args.action_calls, warmup=10))
    figures["environment"] = environment(
        contract_s=LIMITS, run_time_s=time.perf_counter() - started
    )
    return figures


def main() -> None:
    """Measure (or read figures), print the Benchmark section, the contract and the figures."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures")
    parser.add_argument(
        "--markdown", action="store_true", help="the Benchmark section only"
    )
    parser.add_argument("--figures", type=Path, metavar="FILE", help="print, not run")
    parser.add_argument("--reps", type=int, default=6, help="plays of each timeline")
    parser.add_argument("--memory-calls", type=int, default=10_000)
    parser.add_argument("--action-calls", type=int, default=200)
    args = parser.parse_args()
    figures = json.loads(args.figures.read_text()) if args.figures else measure(args)
    print(markdown(figures))
    if not args.markdown:
        print("", contract(figures), json.dumps(figures, indent=1), sep="\n")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"Figures written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
