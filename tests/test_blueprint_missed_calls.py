"""Tests of the blueprint "Notify me of missed calls", run by Home Assistant's machinery."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.clicktodial.const import CONF_NUMBER, SUBENTRY_TYPE_CONTACT
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import Simulator

from .helpers import checked_blueprint
from .notification_helpers import (
    CALLER,
    PHONE_CALLS,
    account_entry,
    async_setup,
    notification,
    post,
    webhook_path,
)

# This repository's blueprints in the config dir.
pytestmark = pytest.mark.hass_config(blueprints=True)

BLUEPRINT = "notify_missed_calls.yaml"
NOTIFIED = "test_missed_call_notified"
# The stand-in for a notification: an event carrying the blueprint's variables.
NOTIFY_ACTION = [
    {
        "event": NOTIFIED,
        "event_data": {
            "message": "{{ message }}",
            "caller_name": "{{ call.caller_name }}",
            # In a longer text, a number stays text.
            "caller_number": "number {{ call.caller_number }}",
            "call_id": "{{ call.call_id }}",
            "reason": "{{ call.reason }}",
        },
    }
]


async def setup_automation(hass: HomeAssistant, entry_id: str) -> None:
    """Set up an automation from the blueprint for an account."""
    config = {
        "id": "missed",
        "alias": "Missed",
        "use_blueprint": {
            "path": f"clicktodial/{BLUEPRINT}",
            "input": {"account": entry_id, "notify_action": NOTIFY_ACTION},
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.missed").state == "on"


def test_blueprint_file() -> None:
    """Test the file is a valid automation blueprint, every input declared and used."""
    blueprint = checked_blueprint(BLUEPRINT, "Notify me of missed calls")
    # Only the integration's accounts are offered: an entity selector would offer the
    # account's Call event entity beside its Phone calls (no filter tells them apart).
    assert blueprint.inputs["account"]["selector"] == {
        "config_entry": {"integration": "clicktodial"}
    }
    # The actions work without a choice: a notification with the message.
    assert blueprint.inputs["notify_action"]["default"] == [
        {
            "action": "persistent_notification.create",
            "data": {"title": "Missed call", "message": "{{ message }}"},
        }
    ]


async def test_notifies_missed_calls(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Test each missed call runs the actions once, naming the caller."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    await setup_automation(hass, entry.entry_id)
    notified = async_capture_events(hass, NOTIFIED)

    call_id = await simulator.ring("missed", speed=0)
    await simulator.ring("answered", speed=0)
    await simulator.ring("answered_elsewhere", speed=0)
    await simulator.ring("outgoing_unanswered", speed=0)
    await hass.async_block_till_done()

    assert [event.data for event in notified] == [
        {
            "message": f"Missed call from Bakker | Voys ({CALLER})",
            "caller_name": "Bakker | Voys",
            "caller_number": f"number {CALLER}",
            "call_id": call_id,
            "reason": "no-answer",
        }
    ]

    await simulator.ring("cancelled", speed=0, caller_number="+31201234567")
    await hass.async_block_till_done()
    assert notified[-1].data["message"] == (
        "Missed call from Bakker | Voys (+31201234567)"
    )
    assert len(notified) == 2


@pytest.mark.parametrize(
    ("number", "name", "message"),
    [
        (CALLER, None, f"Missed call from {CALLER}"),
        (None, "Reception", "Missed call from Reception"),
        (None, None, "Missed call from an unknown caller"),
    ],
)
async def test_message_without_name_or_number(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    number: str | None,
    name: str | None,
    message: str,
) -> None:
    """Test the message names what is known of the caller; a number stays a number."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    await setup_automation(hass, entry.entry_id)
    notified = async_capture_events(hass, NOTIFIED)

    await post(
        client,
        webhook_path(simulator),
        notification("ended", reason="busy", caller=number, name=name),
    )
    await hass.async_block_till_done()

    assert [event.data["message"] for event in notified] == [message]


async def test_contact_named(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Test the caller is named by the account's contact of that number."""
    await hass.config.async_update(country="NL")
    base = account_entry(simulator)
    entry = MockConfigEntry(
        domain=base.domain,
        title=base.title,
        unique_id=base.unique_id,
        data=base.data,
        options=base.options,
        subentries_data=[
            ConfigSubentryData(
                data={CONF_NAME: "Alice", CONF_NUMBER: "0612345678"},
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Alice",
                unique_id="0612345678",
            )
        ],
    )
    await async_setup(hass, entry)
    await setup_automation(hass, entry.entry_id)
    notified = async_capture_events(hass, NOTIFIED)

    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()

    assert [event.data["message"] for event in notified] == [
        f"Missed call from Alice ({CALLER})"
    ]


async def test_nothing_at_reload(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Test the event entity coming back after a reload notifies nothing again."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    await setup_automation(hass, entry.entry_id)
    notified: list[Any] = async_capture_events(hass, NOTIFIED)
    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()
    assert len(notified) == 1

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert hass.states.get(PHONE_CALLS).attributes["event_type"] == "missed"
    assert len(notified) == 1


@pytest.fixture
async def websocket_api(hass: HomeAssistant) -> None:
    """Set up the websocket API before the HTTP server starts (it adds routes)."""
    assert await async_setup_component(hass, "websocket_api", {})


async def test_default_action_notifies(
    hass: HomeAssistant,
    simulator: Simulator,
    websocket_api: None,
    client: TestClient,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Test with only the account chosen, a missed call is a notification naming who."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    assert await async_setup_component(hass, "persistent_notification", {})
    config = {
        "id": "missed",
        "alias": "Missed",
        "use_blueprint": {
            "path": f"clicktodial/{BLUEPRINT}",
            "input": {"account": entry.entry_id},
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()

    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()

    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "persistent_notification/get"})
    response = await ws.receive_json()
    assert [
        (notification["title"], notification["message"])
        for notification in response["result"]
    ] == [("Missed call", f"Missed call from Bakker | Voys ({CALLER})")]


async def test_only_the_accounts_missed_calls(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Test a missed call of another account runs nothing."""
    await async_setup(hass, account_entry(simulator))
    await setup_automation(hass, "another-account")
    notified = async_capture_events(hass, NOTIFIED)

    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()

    assert notified == []
