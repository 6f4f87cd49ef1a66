"""Tests of the blueprint "Tell me when callers wait longer than N minutes in a queue"."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
import shutil
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import Fault, Simulator

from .helpers import BLUEPRINT_DIR, checked_blueprint, set_up
from .timing import TimeDriver

BLUEPRINT = "queue_waiting.yaml"
SALES = "sensor.demo_user_sales_queue"
SUPPORT = "sensor.demo_user_support_queue"
TOLD = "test_queue_told"
FROZEN = "2026-11-26 12:00:00+00:00"
# A stand-in for a notification: an event carrying the blueprint's variables.
WAITING_ACTION = [
    {
        "event": TOLD,
        "event_data": {
            "message": "{{ message }}",
            "queue": "{{ queue }}",
            "waiting": "{{ waiting }}",
            "minutes": "{{ minutes }}",
            "internal_number": "{{ internal_number }}",
        },
    }
]


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Give Home Assistant a temporary config dir holding this repository's blueprints."""
    target = Path(hass_tmp_config_dir, "blueprints", "automation", "clicktodial")
    target.mkdir(parents=True)
    for source in BLUEPRINT_DIR.glob("*.yaml"):
        shutil.copy(source, target / source.name)
    return hass_tmp_config_dir


@pytest.fixture(autouse=True)
async def turn_automations_off(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Turn the automations off after each test, so that no timer lingers."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def setup(hass: HomeAssistant, entry: MockConfigEntry, **inputs: Any) -> None:
    """Set up the account with its queue sensors on, then an automation of the blueprint."""
    await set_up(hass, entry)
    config = {
        "id": "queue",
        "alias": "Queue",
        "use_blueprint": {
            "path": f"clicktodial/{BLUEPRINT}",
            "input": {
                "queues": [SALES, SUPPORT],
                "waiting_action": WAITING_ACTION,
                **inputs,
            },
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.queue").state == "on"
    assert hass.states.get(SALES).state == "0"


def test_blueprint_file() -> None:
    """The file is a valid automation blueprint, every input declared, used, described."""
    blueprint = checked_blueprint(
        BLUEPRINT, "Tell me when callers wait longer than N minutes in a queue"
    )
    assert blueprint.inputs["queues"]["selector"]["entity"] == {
        "multiple": True,
        "filter": [{"integration": "clicktodial", "domain": ["sensor"]}],
        "reorder": False,
    }
    assert blueprint.inputs["minutes"]["default"] == 5


async def test_blueprint_loads_in_home_assistant(hass: HomeAssistant) -> None:
    """Home Assistant finds the blueprint in its blueprint folder and loads it."""
    found = await async_get_blueprints(hass).async_get_blueprints()

    assert isinstance(found[f"clicktodial/{BLUEPRINT}"], Blueprint)


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_told_after_n_minutes_of_waiting(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Callers in the queue at every reading for 5 minutes: told once, with the count."""
    await setup(hass, mock_config_entry)
    told = async_capture_events(hass, TOLD)
    simulator.queues.add("sales", 2)

    await driver.run_for(31)  # read: 2 waiting
    assert hass.states.get(SALES).state == "2"
    simulator.queues.add("sales", 1)  # more come: still the same stretch
    await driver.run_for(269)
    assert told == []
    await driver.run_for(32)

    assert [event.data for event in told] == [
        {
            "message": "3 callers waiting in Demo User Sales queue for 5 minutes or more",
            "queue": "Demo User Sales queue",
            "waiting": 3,
            "minutes": 5,
            "internal_number": 801,
        }
    ]
    await driver.run_for(1800)  # still waiting: told once per stretch
    assert len(told) == 1

    # Empty once, then waiting again: a new stretch tells again.
    simulator.queues.set("sales", 0)
    await driver.run_for(30)
    simulator.queues.set("sales", 1)
    await driver.run_for(30 + 300)
    assert told[-1].data["message"] == (
        "1 caller waiting in Demo User Sales queue for 5 minutes or more"
    )
    assert len(told) == 2


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_an_empty_reading_starts_over(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """One empty reading within the minutes: nothing, and the count starts over."""
    await setup(hass, mock_config_entry, minutes=2)
    told = async_capture_events(hass, TOLD)
    simulator.queues.add("support", 1)
    await driver.run_for(91)
    simulator.queues.set("support", 0)
    await driver.run_for(30)
    simulator.queues.set("support", 1)
    await driver.run_for(90)
    assert told == []

    await driver.run_for(60)
    assert [event.data["queue"] for event in told] == ["Demo User Support queue"]
    assert told[0].data["minutes"] == 2


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_failed_readings_end_the_stretch(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Readings that fail for 5 minutes make the sensor unavailable: the stretch ends."""
    await setup(hass, mock_config_entry, minutes=10)
    told = async_capture_events(hass, TOLD)
    simulator.queues.add("sales", 1)
    await driver.run_for(31)
    simulator.inject("queues", Fault.http(500), times=11)
    await driver.run_for(330)
    assert hass.states.get(SALES).state == "unavailable"
    simulator.clear_faults()

    await driver.run_for(300)

    assert told == []
    await driver.run_for(330)
    assert len(told) == 1
