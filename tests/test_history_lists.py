"""Tests of which call list the call history is read from: v2, or v1 when v2 is lastingly gone.

v1 cannot tell a call a colleague answered from a missed one, so reading it when v2 could
answer makes the missed calls count wrong.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import DEFAULT_EMAIL, Fault, Simulator

from .helpers import set_up, state
from .timing import TimeDriver

MISSED_TODAY = "sensor.demo_user_missed_calls_today"
# 13:00 in Amsterdam: the scripted calls of 3, 2 and 1 hour ago are today's.
FROZEN = "2026-11-26 12:00:00+00:00"
T0 = datetime.fromisoformat(FROZEN)
READ = 15 * 60


@pytest.fixture(autouse=True)
async def amsterdam(hass: HomeAssistant, simulator: Simulator) -> None:
    """Let "today" be Amsterdam's; a colleague answered a call half an hour ago."""
    await hass.config.async_update(time_zone="Europe/Amsterdam")
    simulator.history.add(
        DEFAULT_EMAIL,
        start=T0 - timedelta(minutes=30),
        direction="inbound",
        answered_elsewhere=True,
        number="+31201234568",
    )


def lists_read(simulator: Simulator, origin: float) -> list[tuple[int, str]]:
    """Return when (whole seconds after ``origin``) which call list was read."""
    return [
        (round(request.at - origin), request.endpoint.removeprefix("call_history_"))
        for request in simulator.requests
        if request.endpoint.startswith("call_history_")
    ]


async def api(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: MockConfigEntry
) -> str:
    """Return the call list that answered last, as the diagnostics say."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    return str(result["call_history"]["api"])


@pytest.mark.parametrize(
    "fault",
    [Fault.http(404, {"detail": "Not found."}), Fault.http(401), Fault.http(403)],
    ids=["404", "401", "403"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_one_refusal_reads_v1_once(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
    fault: Fault,
) -> None:
    """One 404, 401 or 403 of v2 reads v1 for that read; the next read asks v2 again."""
    assert await async_setup_component(hass, "diagnostics", {})
    simulator.inject("call_history_v2", fault)
    await set_up(hass, mock_config_entry)
    # v1 counts the call a colleague answered as missed.
    assert state(hass, MISSED_TODAY) == "2"
    assert await api(hass, hass_client, mock_config_entry) == "v1"

    await driver.run_for(READ + 5)

    assert state(hass, MISSED_TODAY) == "1"
    assert await api(hass, hass_client, mock_config_entry) == "v2"
    assert [endpoint for _, endpoint in lists_read(simulator, 0)] == ["v2", "v1", "v2"]


@pytest.mark.freeze_time(FROZEN)
async def test_lasting_404_reads_v1_then_v2_again(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """v2 answering 404 to 3 reads in a row reads v1 alone; v2 is asked again an hour on."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    origin = hass.loop.time()
    await set_up(hass, mock_config_entry)

    await driver.run_for(2 * READ + 5)
    # Three reads of both lists; v1 alone from then on, for an hour.
    assert lists_read(simulator, origin) == [
        (0, "v2"),
        (0, "v1"),
        (READ, "v2"),
        (READ, "v1"),
        (2 * READ, "v2"),
        (2 * READ, "v1"),
    ]
    simulator.history.without_v2.clear()
    await driver.run_for(4 * READ - 10)
    assert lists_read(simulator, origin)[6:] == [
        (3 * READ, "v1"),
        (4 * READ, "v1"),
        (5 * READ, "v1"),
    ]
    assert state(hass, MISSED_TODAY) == "2"

    # An hour after v1 was chosen, at the next read, v2 is asked again, and answers.
    await driver.run_for(2 * READ)

    assert lists_read(simulator, origin)[-1][1] == "v2"
    assert state(hass, MISSED_TODAY) == "1"
