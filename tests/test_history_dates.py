"""Tests of the call history's dates: records dated out of reason, and days that skip midnight.

A record dated far ahead is left out (and said once), a record dated a little ahead does
not hold back the read of new calls, and today's counts start anew where a day starts at
01:00 (America/Santiago's clocks skip from 23:59:59 to 01:00 in early September).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import DEFAULT_EMAIL, Simulator

from .helpers import set_up, state
from .timing import TimeDriver

CALENDAR = "calendar.demo_user_calls"
CALLS_TODAY = "sensor.demo_user_calls_today"
MISSED_TODAY = "sensor.demo_user_missed_calls_today"
# 13:00 in Amsterdam: the scripted calls of 3, 2 and 1 hour ago are today's.
FROZEN = "2026-11-26 12:00:00+00:00"
T0 = datetime.fromisoformat(FROZEN)
FAR_AHEAD = "9999-12-31T23:59:59+00:00"


@pytest.fixture
async def amsterdam(hass: HomeAssistant) -> None:
    """Let "today" be Amsterdam's, the platform's own time zone (east of UTC)."""
    await hass.config.async_update(time_zone="Europe/Amsterdam")


async def events(
    hass: HomeAssistant, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Return the calendar's events, as the calendar.get_events action lists them."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": CALENDAR, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    listed = response[CALENDAR]["events"]
    assert isinstance(listed, list)
    return listed


# -- records dated out of reason ---------------------------------------------------------


@pytest.mark.usefixtures("amsterdam")
@pytest.mark.parametrize(
    "start_time",
    [FAR_AHEAD, "2026-11-28T12:00:00+00:00"],
    ids=["year_9999", "two_days_ahead"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_record_dated_far_ahead(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
    caplog: pytest.LogCaptureFixture,
    start_time: str,
) -> None:
    """A record dated more than a day ahead is left out, said once; the rest is shown."""
    assert await async_setup_component(hass, "diagnostics", {})
    simulator.history.add(
        DEFAULT_EMAIL,
        direction="inbound",
        duration=60,
        answered=True,
        extra={"start_time": start_time},
    )
    await set_up(hass, mock_config_entry)
    await driver.run_for(2 * 15 * 60 + 5)  # two reads more

    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("3", "1")
    assert state(hass, CALENDAR) == STATE_OFF
    assert hass.states.get(CALENDAR).attributes["start_time"] == "2026-11-26 12:00:00"
    assert len(await events(hass, T0 - timedelta(days=2), T0 + timedelta(days=3))) == 4
    # As far ahead as Home Assistant's own time zone conversion goes.
    assert (
        await events(hass, T0, datetime.fromisoformat("9999-12-30T00:00:00+00:00"))
        == []
    )
    result = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    assert result["call_history"]["calls"] == 4
    assert result["call_history"]["calls_today"] == 3
    assert result["call_history"]["newest"] == "2026-11-26T11:00:00+00:00"
    assert simulator.count("call_history_v2") == 3
    said = [
        record
        for record in caplog.records
        if "dated more than a day ahead" in record.getMessage()
    ]
    assert len(said) == 1
    assert said[0].levelname == "WARNING"


@pytest.mark.usefixtures("amsterdam")
@pytest.mark.freeze_time(FROZEN)
async def test_record_dated_a_little_ahead(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A v1 record dated hours ahead is shown, and new calls are still read.

    Each read asks since a little before the newest call known that is not ahead.
    """
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    simulator.history.add(
        DEFAULT_EMAIL, start=T0 + timedelta(hours=6), direction="outbound"
    )
    await set_up(hass, mock_config_entry)
    assert state(hass, CALLS_TODAY) == "4"

    await driver.run_for(5 * 60)
    simulator.history.add(DEFAULT_EMAIL, direction="inbound")
    await driver.run_for(10 * 60 + 5)

    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("5", "2")
    since = [
        query["call_date__gt"]
        for _, query in simulator.history.queries
        if "call_date__gt" in query
    ]
    # A week back, then from 2 hours before the newest call that is not ahead (12:00).
    assert since == ["2026-11-19T13:00:00", "2026-11-26T10:00:00"]


# -- a day that starts at 01:00 ----------------------------------------------------------


# 23:50 in Santiago (UTC-4); at 04:00 UTC the clocks go from 23:59:59 to 01:00 (UTC-3).
@pytest.mark.freeze_time("2026-09-06 03:50:00+00:00")
async def test_counts_start_anew_when_midnight_is_skipped(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Where a day starts at 01:00, the counts start anew then, without a read."""
    await hass.config.async_update(time_zone="America/Santiago")
    await set_up(hass, mock_config_entry)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("3", "1")
    simulator.record_requests = False

    # The next read is at 00:05 UTC-4, that is 01:05 UTC-3.
    await driver.run_for(10 * 60 - 1)
    assert state(hass, CALLS_TODAY) == "3"
    await driver.run_for(2)

    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("0", "0")
    # The next day starts at midnight again: the counts follow that too.
    simulator.history.add(DEFAULT_EMAIL, direction="inbound")
    await driver.run_for(15 * 60)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("1", "1")
    await driver.run_for(23 * 3600)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("0", "0")
