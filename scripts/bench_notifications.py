"""Benchmark call notifications: from the platform's POST to the event entity's new state.

Run it through ``scripts/bench-notifications`` (or ``.venv/bin/python
scripts/bench_notifications.py``); ``--json FILE`` also writes the figures, ``--samples``
and ``--burst`` change the sample sizes. ``run()`` returns the figures, for a bench that
imports this module.

A real Home Assistant (``async_test_home_assistant``) with this repository's integration,
the account following all its calls: Home Assistant's HTTP API is served on 127.0.0.1 and
is its own external URL, so the integration subscribes that webhook on the simulator,
which then POSTs notifications to it over loopback, from its own event loop in a second
thread (its work is not counted as Home Assistant's).

- Latency: one notification at a time (each the first of a new call, so each fires
  ``incoming``): from just before the simulator sends the POST to the moment the event
  entity's new state is written (the state's own timestamp), and the POST's round trip.
- Event-loop CPU: a burst of notifications of many calls at once (each call created,
  ringing twice, then answered and ended, or missed), 25 POSTs in flight: the CPU time of
  Home Assistant's event-loop thread (``thread_time``) over the burst, per notification.
  Beside it, the floor: the same burst to a webhook that only reads the body and answers
  (Home Assistant's HTTP server and webhook component alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import statistics
import sys
import time
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The repository's integration first (as tests/conftest.py does).
import custom_components.clicktodial  # noqa: F401

# isort: split

from aiohttp import web
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_API_TOKEN,
    CONF_CALL_NOTIFICATIONS,
    DOMAIN,
)
from homeassistant.components import webhook
from homeassistant.const import CONF_EMAIL, CONF_URL, EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from scripts.bench_harness import (
    SimulatorThread,
    environment,
    home_assistant,
    percentile,
    prepare,
    reachable,
)
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Simulator
from tests.notification_helpers import DESK_TARGET

PHONE_CALLS = "event.demo_user_phone_calls"
IN_FLIGHT = 25
CALLER = "+31612345678"
# One call of the burst: (status, reason) of each notification, in order.
ANSWERED = [("created", ""), ("ringing", ""), ("ringing", ""), ("in-progress", "")]
ANSWERED_END = [("ended", "completed")]
MISSED = [("created", ""), ("ringing", ""), ("ringing", ""), ("ended", "no-answer")]


def notification(call_id: str, status: str, reason: str = "") -> dict[str, Any]:
    """Return a notification as the platform sends it."""
    return {
        "call_id": call_id,
        "timestamp": "2026-11-28T12:00:00+00:00",
        "status": status,
        "version": "v2",
        "direction": "inbound",
        "reason": reason,
        "caller": {"number": CALLER, "name": "Bakker | Voys"},
        # The user's own desk phone rings: a call of theirs.
        "destination": {"number": "+31508009000", "targets": [DESK_TARGET]},
    }


async def run(samples: int = 200, burst: int = 1000) -> dict[str, Any]:
    """Measure; return the figures."""
    async with home_assistant() as hass, reachable(hass) as port:
        sim = Simulator()
        sim.record_requests = False
        sim.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN)
        threaded = SimulatorThread(sim)
        url = await threaded.start()
        try:
            entry = MockConfigEntry(
                domain=DOMAIN,
                title="Demo User",
                unique_id="00000000-0000-4000-8000-000000000001",
                data={
                    CONF_URL: url,
                    CONF_EMAIL: DEFAULT_EMAIL,
                    CONF_API_TOKEN: DEFAULT_TOKEN,
                },
                options={CONF_CALL_NOTIFICATIONS: True},
            )
            entry.add_to_hass(hass)
            if not await hass.config_entries.async_setup(entry.entry_id):
                raise RuntimeError("the integration did not set up")
            await hass.async_block_till_done(wait_background_tasks=True)
            if len(sim.subscriptions) != 1:
                raise RuntimeError("the webhook was not subscribed")
            return {
                "latency": await _latency(hass, threaded, samples),
                "burst": await _burst(hass, threaded, burst),
                "floor": await _floor(hass, threaded, port, burst),
            }
        finally:
            await threaded.stop()


async def _latency(
    hass: HomeAssistant, threaded: SimulatorThread, samples: int
) -> dict[str, Any]:
    """Send notifications one by one; time each to the event entity's new state."""
    written: dict[str, float] = {}

    @callback
    def on_state(event: Event[Any]) -> None:
        if event.data["entity_id"] == PHONE_CALLS:
            new = event.data["new_state"]
            written[new.attributes["call_id"]] = new.last_updated_timestamp

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
    to_state: list[float] = []
    round_trip: list[float] = []
    try:
        for index in range(samples + 20):
            call_id = f"latency-{index}"
            sent = time.time()
            started = time.perf_counter()
            statuses = await threaded.run(
                threaded.sim.notify(notification(call_id, "ringing"))
            )
            done = time.perf_counter()
            if statuses != [200]:
                raise RuntimeError(f"the webhook answered {statuses}")
            if index < 20:  # warm-up
                continue
            to_state.append(written[call_id] - sent)
            round_trip.append(done - started)
        # End the calls, so the burst starts from an idle phone.
        for index in range(samples + 20):
            await threaded.run(
                threaded.sim.notify(
                    notification(f"latency-{index}", "ended", "completed")
                )
            )
    finally:
        unsub()
    return {
        "samples": samples,
        "to_state_ms_p50": statistics.median(to_state) * 1e3,
        "to_state_ms_p95": percentile(to_state, 0.95) * 1e3,
        "round_trip_ms_p50": statistics.median(round_trip) * 1e3,
        "round_trip_ms_p95": percentile(round_trip, 0.95) * 1e3,
    }


async def _burst(
    hass: HomeAssistant, threaded: SimulatorThread, size: int
) -> dict[str, Any]:
    """Send a burst of notifications, IN_FLIGHT at a time; the loop's CPU per one."""
    calls = burst_calls(size)
    fired = 0

    @callback
    def on_state(event: Event[Any]) -> None:
        nonlocal fired
        fired += event.data["entity_id"] == PHONE_CALLS

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
    try:
        statuses, cpu, wall = await _send_burst(hass, threaded, calls)
    finally:
        unsub()
    if statuses.count(200) != size:
        raise RuntimeError("not every notification was accepted")
    missed = int(hass.states.get("todo.demo_user_missed_calls").state)  # type: ignore[union-attr]
    return {
        "notifications": size,
        "calls": len(calls),
        "events_fired": fired,
        "open_missed_calls": missed,
        "loop_cpu_ms_total": cpu * 1e3,
        "loop_cpu_us_per_notification": cpu * 1e6 / size,
        "wall_s": wall,
        "notifications_per_s": size / wall,
    }


def burst_calls(size: int) -> list[list[dict[str, Any]]]:
    """Return the burst's notifications, call by call: half missed, half answered."""
    calls: list[list[dict[str, Any]]] = []
    count = 0
    while count < size:
        index = len(calls)
        steps = ANSWERED + ANSWERED_END if index % 2 else MISSED
        steps = steps[: size - count]
        calls.append([notification(f"burst-{index}", s, r) for s, r in steps])
        count += len(steps)
    return calls


async def _send_burst(
    hass: HomeAssistant,
    threaded: SimulatorThread,
    calls: list[list[dict[str, Any]]],
    url: str | None = None,
) -> tuple[list[int | None], float, float]:
    """Send a burst from the simulator's loop; return statuses, loop CPU and wall time.

    Each call's notifications go in order, the calls at once, IN_FLIGHT POSTs at most;
    to the subscribed webhook, or to ``url``.
    """

    async def send_all() -> list[int | None]:
        gate = asyncio.Semaphore(IN_FLIGHT)
        statuses: list[int | None] = []

        async def post(body: dict[str, Any]) -> list[int | None]:
            if url is None:
                return await threaded.sim.notify(body)
            assert threaded.sim.pushes.session is not None
            async with threaded.sim.pushes.session.post(url, json=body) as response:
                await response.read()
                return [response.status]

        async def send_call(bodies: list[dict[str, Any]]) -> None:
            for body in bodies:
                async with gate:
                    statuses.extend(await post(body))

        await asyncio.gather(*(send_call(bodies) for bodies in calls))
        return statuses

    await hass.async_block_till_done()
    cpu = time.thread_time()
    wall = time.perf_counter()
    statuses = await threaded.run(send_all())
    await hass.async_block_till_done()
    return statuses, time.thread_time() - cpu, time.perf_counter() - wall


async def _floor(
    hass: HomeAssistant, threaded: SimulatorThread, port: int, size: int
) -> dict[str, Any]:
    """Send the same burst to a webhook that only reads the body: the loop's CPU."""

    async def handler(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    webhook.async_register(
        hass, "bench", "floor", "bench-floor", handler, allowed_methods=["POST"]
    )
    url = f"http://127.0.0.1:{port}{webhook.async_generate_path('bench-floor')}"
    statuses, cpu, wall = await _send_burst(hass, threaded, burst_calls(size), url)
    webhook.async_unregister(hass, "bench-floor")
    if statuses.count(200) != size:
        raise RuntimeError("not every request was answered")
    return {
        "requests": size,
        "loop_cpu_us_per_request": cpu * 1e6 / size,
        "requests_per_s": size / wall,
    }


def report(figures: dict[str, Any]) -> str:
    """Return the figures as a small table."""
    latency = figures["latency"]
    burst = figures["burst"]
    env = figures["environment"]
    rows = [
        ("POST sent -> event entity's new state", "to_state"),
        ("POST round trip (answer received)", "round_trip"),
    ]
    lines = [
        f"Call notifications on loopback (Home Assistant {env['home_assistant']}, "
        f"Python {env['python']}, {env['cpus']} CPUs)",
        "",
        f"| One notification at a time ({latency['samples']}) | p50 (ms) | p95 (ms) |",
        "|---|---|---|",
        *(
            f"| {label} | {latency[f'{key}_ms_p50']:.2f} | "
            f"{latency[f'{key}_ms_p95']:.2f} |"
            for label, key in rows
        ),
        "",
        f"Burst of {burst['notifications']:,} notifications ({burst['calls']} calls, "
        f"{IN_FLIGHT} in flight): {burst['events_fired']} events fired, "
        f"{burst['open_missed_calls']} missed calls listed (at most 100), "
        f"{burst['notifications_per_s']:.0f} notifications/s.",
        f"Event-loop CPU: {burst['loop_cpu_us_per_notification']:.0f} us per "
        f"notification ({burst['loop_cpu_ms_total']:.0f} ms in all); the floor, the "
        f"same burst to a webhook that only reads and answers: "
        f"{figures['floor']['loop_cpu_us_per_request']:.0f} us per request.",
    ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench-notifications", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures as JSON"
    )
    parser.add_argument(
        "--samples", type=int, default=200, help="latency samples (default 200)"
    )
    parser.add_argument(
        "--burst", type=int, default=1000, help="notifications in the burst (1000)"
    )
    return parser.parse_args()


def main() -> None:
    """Measure, print the table, write the JSON."""
    args = parse_args()
    prepare()
    figures = asyncio.run(run(args.samples, args.burst))
    figures["environment"] = environment()
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
