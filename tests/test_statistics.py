"""Tests of the long-term statistics of today's calls, as Home Assistant's recorder keeps them.

"Calls today" and "Missed calls today" are totals that start anew at each local midnight:
the recorder sums every day's calls, so a statistics graph shows calls per day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.statistics import (
    list_statistic_ids,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import DEFAULT_EMAIL, Simulator

from .helpers import set_up, state
from .timing import TimeDriver

CALLS_TODAY = "sensor.demo_user_calls_today"
MISSED_TODAY = "sensor.demo_user_missed_calls_today"
# 23:40 in Amsterdam: the scripted calls of 3, 2 and 1 hour ago are today's.
FROZEN = "2026-11-26 22:40:00+00:00"
T0 = datetime.fromisoformat(FROZEN)
# Amsterdam's midnight.
MIDNIGHT = datetime.fromisoformat("2026-11-26 23:00:00+00:00")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then let it load custom integrations."""


@pytest.fixture(autouse=True)
async def amsterdam(hass: HomeAssistant) -> None:
    """Let "today" be Amsterdam's."""
    await hass.config.async_update(time_zone="Europe/Amsterdam")


async def compile_until(hass: HomeAssistant, end: datetime) -> None:
    """Compile the statistics of every 5 minutes from T0 up to ``end``."""
    await async_wait_recording_done(hass)
    start = T0
    while start < end:
        do_adhoc_statistics(hass, start=start)
        start += timedelta(minutes=5)
    await async_wait_recording_done(hass)


async def statistics(
    hass: HomeAssistant, period: str, types: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """Return the statistics of both sensors since T0."""
    return await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        T0 - timedelta(days=1),
        None,
        {CALLS_TODAY, MISSED_TODAY},
        period,
        None,
        types,
    )


def missed_call(simulator: Simulator) -> None:
    """Add a missed call, now, to the account's history."""
    simulator.history.add(
        DEFAULT_EMAIL, direction="inbound", duration=0, answered=False
    )


@pytest.mark.freeze_time(FROZEN)
async def test_calls_per_day(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Each local day's calls are summed; a new day starts a new cycle at midnight."""
    await set_up(hass, mock_config_entry)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("3", "1")
    attributes = hass.states.get(CALLS_TODAY).attributes
    assert attributes["state_class"] == "total"
    assert attributes["last_reset"] == "2026-11-25T23:00:00+00:00"

    # A call before midnight, read at the next read.
    await driver.run_for(5 * 60)
    missed_call(simulator)
    await driver.run_for(11 * 60)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("4", "2")
    await driver.run_for(5 * 60)
    # Midnight: the counts start anew without a read.
    assert dt_util.utcnow() >= MIDNIGHT
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("0", "0")
    assert hass.states.get(CALLS_TODAY).attributes["last_reset"] == (
        MIDNIGHT.isoformat()
    )
    # Two calls of the new day.
    missed_call(simulator)
    missed_call(simulator)
    await driver.run_for(60 * 60)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("2", "2")
    await compile_until(hass, MIDNIGHT + timedelta(hours=1))

    listed = await get_instance(hass).async_add_executor_job(
        list_statistic_ids, hass, {CALLS_TODAY, MISSED_TODAY}
    )
    assert {(item["statistic_id"], item["has_sum"]) for item in listed} == {
        (CALLS_TODAY, True),
        (MISSED_TODAY, True),
    }
    hourly = await statistics(hass, "hour", {"state", "sum", "last_reset"})
    # The zero point is the first count seen; then one call before midnight, two after.
    assert [(row["state"], row["sum"]) for row in hourly[CALLS_TODAY]] == [
        (4.0, 1.0),
        (2.0, 3.0),
    ]
    assert [row["last_reset"] for row in hourly[CALLS_TODAY]] == [
        (MIDNIGHT - timedelta(days=1)).timestamp(),
        MIDNIGHT.timestamp(),
    ]
    assert [(row["state"], row["sum"]) for row in hourly[MISSED_TODAY]] == [
        (2.0, 1.0),
        (2.0, 3.0),
    ]
    # Per local day, as a statistics graph of the changes shows them.
    daily = await statistics(hass, "day", {"change"})
    assert [row["change"] for row in daily[CALLS_TODAY]] == [1.0, 2.0]
    assert [row["change"] for row in daily[MISSED_TODAY]] == [1.0, 2.0]
