"""Tests of the blueprint "Tell me when my desk phone goes offline", run by Home Assistant."""

from __future__ import annotations

from collections.abc import AsyncGenerator
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
from simulator import DEFAULT_EMAIL, Simulator

from .helpers import checked_blueprint, set_up
from .timing import TimeDriver

# This repository's blueprints in the config dir.
pytestmark = pytest.mark.hass_config(blueprints=True)

BLUEPRINT = "phone_offline.yaml"
DESK = "binary_sensor.demo_user_desk_201_online"
YEALINK = "Yealink SIP-T54W 96.86.0.100"
TOLD = "test_phone_told"
# Stand-ins for notifications: events carrying the blueprint's variables.
OFFLINE_ACTION = [
    {
        "event": TOLD,
        "event_data": {
            "what": "offline",
            "message": "{{ message }}",
            "phone": "{{ phone }}",
            "device": "{{ device }}",
        },
    }
]
ONLINE_ACTION = [
    {"event": TOLD, "event_data": {"what": "online", "message": "{{ message }}"}}
]


@pytest.fixture(autouse=True)
async def turn_automations_off(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Turn the automations off after each test, so that no timer lingers."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def setup(hass: HomeAssistant, entry: MockConfigEntry, **inputs: Any) -> None:
    """Set up the account (after time froze), then an automation from the blueprint."""
    await set_up(hass, entry)
    config = {
        "id": "offline",
        "alias": "Offline",
        "use_blueprint": {
            "path": f"clicktodial/{BLUEPRINT}",
            "input": {"phone": DESK, "offline_action": OFFLINE_ACTION, **inputs},
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.offline").state == "on"
    assert hass.states.get(DESK).state == "on"


def test_blueprint_file() -> None:
    """The file is a valid automation blueprint, every input declared, used, described."""
    blueprint = checked_blueprint(BLUEPRINT, "Tell me when my desk phone goes offline")
    assert blueprint.inputs["phone"]["selector"]["entity"]["filter"] == [
        {
            "integration": "clicktodial",
            "domain": ["binary_sensor"],
            "device_class": ["connectivity"],
        }
    ]
    assert blueprint.inputs["offline_for"]["default"] == {"minutes": 10}


async def test_blueprint_loads_in_home_assistant(hass: HomeAssistant) -> None:
    """Home Assistant finds the blueprint in its blueprint folder and loads it."""
    found = await async_get_blueprints(hass).async_get_blueprints()

    assert isinstance(found[f"clicktodial/{BLUEPRINT}"], Blueprint)


@pytest.mark.freeze_time("2026-11-26 12:00:00+00:00")
async def test_offline_then_back(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Offline 10 minutes: told once, naming the phone; back online: told that too."""
    await setup(hass, mock_config_entry, online_action=ONLINE_ACTION)
    told = async_capture_events(hass, TOLD)
    simulator.phones.unregister(DEFAULT_EMAIL, 101)

    await driver.run_for(301)  # the read at 5 minutes sees it offline
    assert hass.states.get(DESK).state == "off"
    await driver.run_for(599)
    assert told == []
    await driver.run_for(2)  # 10 minutes offline
    assert [event.data for event in told] == [
        {
            "what": "offline",
            "message": "Demo User Desk (201) is offline",
            "phone": "Demo User Desk (201)",
            "device": YEALINK,
        }
    ]
    await driver.run_for(1800)  # still offline: nothing more
    assert len(told) == 1
    simulator.phones.register(DEFAULT_EMAIL, 101)
    await driver.run_for(300)

    assert [event.data["what"] for event in told] == ["offline", "online"]
    assert told[-1].data["message"] == "Demo User Desk (201) is back online"


@pytest.mark.freeze_time("2026-11-26 12:00:00+00:00")
async def test_a_restart_of_the_phone_tells_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Offline for one read only (5 minutes): nothing runs, neither offline nor online."""
    await setup(hass, mock_config_entry, online_action=ONLINE_ACTION)
    told = async_capture_events(hass, TOLD)
    simulator.phones.unregister(DEFAULT_EMAIL, 101)
    await driver.run_for(301)
    assert hass.states.get(DESK).state == "off"
    simulator.phones.register(DEFAULT_EMAIL, 101)

    await driver.run_for(3600)

    assert hass.states.get(DESK).state == "on"
    assert told == []


@pytest.mark.freeze_time("2026-11-26 12:00:00+00:00")
async def test_shorter_wait_without_online_actions(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """With 1 minute and no actions for "back online", only the offline ones run."""
    await setup(hass, mock_config_entry, offline_for={"minutes": 1})
    told = async_capture_events(hass, TOLD)
    simulator.phones.unregister(DEFAULT_EMAIL, 101)

    await driver.run_for(300 + 62)
    assert [event.data["what"] for event in told] == ["offline"]
    simulator.phones.register(DEFAULT_EMAIL, 101)
    await driver.run_for(300)

    assert hass.states.get(DESK).state == "on"
    assert len(told) == 1
