"""Tests of the blueprint "Call back a missed call when I check it off"."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.clicktodial.const import EVENT_MISSED_CALL_CHECKED_OFF
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import Simulator

from .helpers import checked_blueprint
from .notification_helpers import (
    CALLER,
    MISSED_CALLS,
    account_entry,
    async_setup,
    notification,
    post,
    todo_items,
    webhook_path,
)

# This repository's blueprints in the config dir.
pytestmark = pytest.mark.hass_config(blueprints=True)

BLUEPRINT = "call_back_missed_call.yaml"


@pytest.fixture
async def entry(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> MockConfigEntry:
    """Set up the account, following all its calls, and the blueprint's automation."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    config = {
        "id": "call_back",
        "alias": "Call back",
        "use_blueprint": {
            "path": f"clicktodial/{BLUEPRINT}",
            "input": {"missed_calls": MISSED_CALLS},
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.call_back").state == "on"
    return entry


async def update(hass: HomeAssistant, item: str, **changes: Any) -> None:
    """Change a to-do item through the to-do action, as the to-do card does."""
    await hass.services.async_call(
        "todo",
        "update_item",
        {"entity_id": MISSED_CALLS, "item": item, **changes},
        blocking=True,
    )
    await hass.async_block_till_done()


def test_blueprint_file() -> None:
    """Test the file is a valid blueprint offering only the Missed calls lists."""
    blueprint = checked_blueprint(
        BLUEPRINT, "Call back a missed call when I check it off"
    )
    assert set(blueprint.inputs) == {"missed_calls"}
    assert blueprint.inputs["missed_calls"]["selector"]["entity"]["filter"] == [
        {"integration": "clicktodial", "domain": ["todo"]}
    ]


async def test_check_off_calls_back(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """Test checking a missed call off calls its caller back, from its account, once.

    Once per missed call: checked on and off again, it is not called back again.
    """
    checked_off = async_capture_events(hass, EVENT_MISSED_CALL_CHECKED_OFF)
    call_id = await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()
    (item,) = await todo_items(hass)

    # Renaming it calls nobody.
    await update(hass, item["uid"], rename="Bakker, call back")
    assert simulator.count("start_call") == 0

    await update(hass, item["uid"], status="completed")

    assert simulator.count("start_call") == 1
    assert simulator.requests[-1].body == {"b_number": CALLER}
    assert hass.states.get("sensor.demo_user_call_status").attributes["b_number"] == (
        CALLER
    )
    assert [event.data for event in checked_off] == [
        {
            "entity_id": MISSED_CALLS,
            "config_entry_id": entry.entry_id,
            "call_id": call_id,
            "caller_number": CALLER,
            "caller_name": "Bakker | Voys",
        }
    ]
    # Checked off again: it was already; unchecked: nobody is called either.
    await update(hass, item["uid"], status="completed")
    await update(hass, item["uid"], status="needs_action")
    assert simulator.count("start_call") == 1
    # Checked off once more: the caller was called back already, once per missed call,
    # also after a restart.
    await update(hass, item["uid"], status="completed")
    await update(hass, item["uid"], status="needs_action")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await update(hass, item["uid"], status="completed")
    assert simulator.count("start_call") == 1
    assert len(checked_off) == 1
    (item,) = await todo_items(hass)
    assert item["status"] == "completed"


async def test_withheld_number_not_called(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
) -> None:
    """Test a missed call without a number is only checked off."""
    await post(
        client,
        webhook_path(simulator),
        notification("ended", reason="no-answer", caller=None, name="Reception"),
    )
    await hass.async_block_till_done()
    (item,) = await todo_items(hass)

    await update(hass, item["uid"], status="completed")

    assert simulator.count("start_call") == 0
    (item,) = await todo_items(hass)
    assert item["status"] == "completed"
