"""Benchmark colleagues' phones: the event loop's CPU per notification with 50 of them.

Run it as ``.venv/bin/python scripts/bench_colleagues.py`` (``--colleagues``, ``--rate``,
``--seconds``, ``--json FILE``). A real Home Assistant as in ``bench_notifications.py``,
the account following the whole company's calls; the simulator lists ``--colleagues``
phone accounts of colleagues and pushes ``--rate`` calls a second, each ringing one
colleague (in turn), half answered and ended, half missed. Measured twice, each in a
fresh Home Assistant: without the option "Show colleagues' phones" (as before it) and
with it (a device per colleague, all enabled, its Phone sensor following every call). The figure is
the CPU time of Home Assistant's event-loop thread per notification, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys
import time
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import custom_components.clicktodial  # noqa: F401

# isort: split

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_API_TOKEN,
    CONF_CALL_NOTIFICATIONS,
    CONF_SHOW_COLLEAGUES,
    CONF_WHOLE_COMPANY,
    DOMAIN,
)
from homeassistant.const import CONF_EMAIL, CONF_URL, EVENT_STATE_CHANGED
from homeassistant.core import Event, callback
from homeassistant.helpers import entity_registry as er
from scripts.bench_harness import (
    SimulatorThread,
    environment,
    home_assistant,
    prepare,
    reachable,
)
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Simulator

CALLER = "+31612345678"
ANSWERED = [
    ("created", ""),
    ("ringing", ""),
    ("in-progress", ""),
    ("ended", "completed"),
]
MISSED = [("created", ""), ("ringing", ""), ("ended", "no-answer")]


def notification(
    call_id: str, status: str, reason: str, extension: str
) -> dict[str, Any]:
    """Return a notification of a call ringing a colleague's phone."""
    return {
        "call_id": call_id,
        "timestamp": "2026-11-28T12:00:00+00:00",
        "status": status,
        "version": "v2",
        "direction": "inbound",
        "reason": reason,
        "caller": {"number": CALLER, "name": "Bakker | Voys"},
        "destination": {
            "number": extension,
            "targets": []
            if status == "created"
            else [{"number": extension, "user_numbers": [extension]}],
        },
    }


async def measure(
    *, show: bool, colleagues: int, rate: float, seconds: float
) -> dict[str, Any]:
    """Push ``rate`` calls a second for ``seconds``; return the loop's CPU figures."""
    async with home_assistant() as hass, reachable(hass):
        sim = Simulator()
        sim.record_requests = False
        sim.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN)
        sim.phones.colleagues.clear()
        sim.phones.add_colleagues(colleagues, first_number=300)
        threaded = SimulatorThread(sim)
        url = await threaded.start()
        try:
            options: dict[str, Any] = {
                CONF_CALL_NOTIFICATIONS: True,
                CONF_WHOLE_COMPANY: True,
            }
            if show:
                options[CONF_SHOW_COLLEAGUES] = True
            entry = MockConfigEntry(
                domain=DOMAIN,
                title="Demo User",
                unique_id="00000000-0000-4000-8000-000000000001",
                data={
                    CONF_URL: url,
                    CONF_EMAIL: DEFAULT_EMAIL,
                    CONF_API_TOKEN: DEFAULT_TOKEN,
                },
                options=options,
            )
            entry.add_to_hass(hass)
            if not await hass.config_entries.async_setup(entry.entry_id):
                raise RuntimeError("the integration did not set up")
            await hass.async_block_till_done(wait_background_tasks=True)
            if show:
                # More than 20 are added disabled: enable them all, the worst case.
                registry = er.async_get(hass)
                for item in er.async_entries_for_config_entry(registry, entry.entry_id):
                    if item.disabled_by is not None:
                        registry.async_update_entity(item.entity_id, disabled_by=None)
                await hass.config_entries.async_reload(entry.entry_id)
                await hass.async_block_till_done(wait_background_tasks=True)
            phones = len(hass.states.async_entity_ids("sensor"))
            written = 0

            @callback
            def on_state(event: Event[Any]) -> None:
                nonlocal written
                written += 1

            unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
            cpu = time.thread_time()
            sent = await threaded.run(_push(threaded, colleagues, rate, seconds))
            await hass.async_block_till_done()
            cpu = time.thread_time() - cpu
            unsub()
            return {
                "show_colleagues": show,
                "sensors": phones,
                "notifications": sent,
                "states_written": written,
                "loop_cpu_us_per_notification": cpu * 1e6 / sent,
            }
        finally:
            await threaded.stop()


async def _push(
    threaded: SimulatorThread, colleagues: int, rate: float, seconds: float
) -> int:
    """Start ``rate`` calls a second, each played over a second; return how many sent."""
    sent = 0

    async def play(index: int) -> None:
        nonlocal sent
        extension = str(300 + index % colleagues)
        steps = ANSWERED if index % 2 else MISSED
        for status, reason in steps:
            statuses = await threaded.sim.notify(
                notification(f"call-{index}", status, reason, extension)
            )
            if statuses != [200]:
                raise RuntimeError(f"the webhook answered {statuses}")
            sent += 1
            await asyncio.sleep(1 / len(steps))

    tasks = []
    for index in range(int(rate * seconds)):
        tasks.append(asyncio.create_task(play(index)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    return sent


async def run(colleagues: int, rate: float, seconds: float) -> dict[str, Any]:
    """Measure without and with the option; return both and the ratio."""
    before = await measure(
        show=False, colleagues=colleagues, rate=rate, seconds=seconds
    )
    after = await measure(show=True, colleagues=colleagues, rate=rate, seconds=seconds)
    key = "loop_cpu_us_per_notification"
    return {
        "colleagues": colleagues,
        "calls_per_s": rate,
        "without": before,
        "with": after,
        "ratio": after[key] / before[key],
    }


def main() -> None:
    """Measure, print the figures, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--colleagues", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0, help="calls a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args()
    prepare()
    figures = asyncio.run(run(args.colleagues, args.rate, args.seconds))
    figures["environment"] = environment()
    key = "loop_cpu_us_per_notification"
    print(
        f"{args.colleagues} colleagues' phones, {args.rate:g} calls/s for "
        f"{args.seconds:g} s ({figures['with']['notifications']} notifications): "
        f"event-loop CPU per notification {figures['without'][key]:.0f} us without "
        f"the option, {figures['with'][key]:.0f} us with it "
        f"(x{figures['ratio']:.2f}); states written "
        f"{figures['without']['states_written']} / {figures['with']['states_written']}."
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
