"""Tests of the logbook: one line per step of a call, and pushed calls naming who."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.clicktodial.const import DOMAIN, SUBENTRY_TYPE_CONTACT
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from simulator import Fault, Simulator

from .helpers import ACCOUNT_UUID, advance
from .notification_helpers import (
    account_entry,
    async_setup,
    notification,
    post,
    reachable_home_assistant,
    webhook_path,
)

EVENT = "event.demo_user_call"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then let it load custom integrations."""


@pytest.fixture
async def logbook(hass: HomeAssistant) -> None:
    """Set up the logbook (its frontend panel is not needed)."""
    hass.config.components.add("frontend")
    with patch("homeassistant.components.frontend.async_register_built_in_panel"):
        assert await async_setup_component(hass, "logbook", {})


async def all_lines(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[dict[str, Any]]:
    """Return every logbook entry of the Call event entity, state changes included.

    The entity is found by its unique id: its entity ID is made in Home Assistant's
    language ("event.demo_user_gesprek" in Dutch).
    """
    await async_wait_recording_done(hass)
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{ACCOUNT_UUID}_call"
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": (
                dt_util.utcnow() - dt_util.dt.timedelta(hours=1)
            ).isoformat(),
            "entity_ids": [entity_id],
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return list(response["result"])


async def logbook_lines(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[tuple[str, str]]:
    """Return the name and message of every line the integration describes."""
    return [
        (entry["name"], entry["message"])
        for entry in await all_lines(hass, hass_ws_client)
        if entry.get("domain") == DOMAIN
    ]


async def event_types_shown(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> list[str]:
    """Return the event types the logbook shows for the Call event entity's states."""
    return [
        entry["attributes"]["event_type"]
        for entry in await all_lines(hass, hass_ws_client)
        if entry.get("attributes", {}).get("event_type")
    ]


@pytest.mark.usefixtures("logbook")
async def test_one_line_per_step(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Each step of a call is one line, its end included, and none is written twice.

    The Call event entity's states are the lines; its end is not described again by the
    ``clicktodial_call_ended`` event, which automations still get.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        subentries_data=[
            ConfigSubentryData(
                data={"name": "Alice", "number": "+31508009899"},
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Alice",
                unique_id="+31508009899",
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    ended = async_capture_events(hass, "clicktodial_call_ended")

    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.call_alice"}, blocking=True
    )
    await advance(hass, freezer, 60, step=0.5)
    # A number whose other side is not reached.
    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31 (0)50 800 9902"}, blocking=True
    )
    await advance(hass, freezer, 30, step=0.5)
    # A call the platform forgets while it is followed.
    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "0508009905"}, blocking=True
    )
    simulator.inject("get_call", Fault.http(404))
    await advance(hass, freezer, 2, step=0.5)

    assert [event.data["status"] for event in ended] == [
        "disconnected",
        "failing_b",
        "setting_up",
    ]
    assert await event_types_shown(hass, hass_ws_client) == [
        *("setting_up", "dialing_a", "dialing_b", "connected", "disconnected"),
        *("setting_up", "dialing_a", "dialing_b", "failing_b"),
        *("setting_up", "not_followed"),
    ]
    assert await logbook_lines(hass, hass_ws_client) == []
    # The forgotten call's last event says what was seen last, and whom it called.
    attributes = hass.states.get(EVENT).attributes
    assert attributes["event_type"] == "not_followed"
    assert attributes["previous_status"] == "setting_up"
    assert attributes["b_number"] == "0508009905"


@pytest.mark.usefixtures("logbook")
async def test_reload_writes_no_line(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Reloading the account, twice, fires no event and writes no line, none unknown."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899"}, blocking=True
    )
    await advance(hass, freezer, 60, step=0.5)
    before = hass.states.get(EVENT)
    lines = await all_lines(hass, hass_ws_client)
    assert len(lines) == 5
    ended = async_capture_events(hass, "clicktodial_call_ended")

    for _ in range(2):
        await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        await advance(hass, freezer, 5, step=0.5)
        assert hass.states.get(EVENT).state == "unknown"

    assert ended == []
    assert await all_lines(hass, hass_ws_client) == lines
    # The last event is not written again (the logbook would show it as a new line).
    after = hass.states.get(EVENT)
    assert after.state == "unknown"
    assert after.attributes["event_type"] is None
    assert await event_types_shown(hass, hass_ws_client) == [
        "setting_up",
        "dialing_a",
        "dialing_b",
        "connected",
        "disconnected",
    ]
    assert before.attributes["event_type"] == "disconnected"
    # The next call fires its events as ever.
    await hass.services.async_call(
        DOMAIN, "call", {"b_number": "+31508009899"}, blocking=True
    )
    await advance(hass, freezer, 3, step=0.5)
    assert hass.states.get(EVENT).attributes["event_type"] == "dialing_a"
    # Unloaded, the entity is unavailable as any other.
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(EVENT).state == "unavailable"


@pytest.mark.usefixtures("logbook")
async def test_pushed_calls_named(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Calls that come in, go out or are missed are lines naming who, by contact."""
    await hass.config.async_update(country="NL")
    # Before the HTTP server starts: the websocket API adds routes.
    assert await async_setup_component(hass, "websocket_api", {})
    client = await reachable_home_assistant(hass, hass_client_no_auth)
    base = account_entry(simulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=base.title,
        unique_id=base.unique_id,
        data=dict(base.data),
        options=dict(base.options),
        subentries_data=[
            ConfigSubentryData(
                data={"name": "Alice", "number": "0508009899"},
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Alice",
                unique_id="0508009899",
            )
        ],
    )
    await async_setup(hass, entry)
    phone_calls = async_capture_events(hass, "clicktodial_phone_call")

    await simulator.ring("missed", speed=0)
    await simulator.ring("answered", speed=0, caller_number="+31508009899")
    # To Alice (her number written otherwise), then to a number no contact has.
    await simulator.ring("outgoing", speed=0, caller_number="+31508009899")
    await simulator.ring("outgoing_unanswered", speed=0, caller_number="0201234567")
    path = webhook_path(simulator)
    await post(client, path, notification("ended", "w", caller=None, name=None))
    # A call out whose number the platform did not give.
    body = notification("ringing", "x", direction="outbound")
    body["destination"]["number"] = None
    await post(client, path, body)
    await hass.async_block_till_done()

    assert [event.data["event_type"] for event in phone_calls] == [
        "incoming",
        "missed",
        "incoming",
        "outgoing",
        "outgoing",
        "missed",
        "outgoing",
    ]
    assert phone_calls[1].data["config_entry_id"] == entry.entry_id
    assert phone_calls[1].data["caller_number"] == "+31612345678"
    assert await logbook_lines(hass, hass_ws_client) == [
        # Incoming once it rings the user's phone, when the platform names the caller.
        ("Call", "incoming call from Bakker | Voys (+31612345678)"),
        ("Call", "missed call from Bakker | Voys (+31612345678)"),
        ("Call", "incoming call from Alice (+31508009899)"),
        ("Call", "outgoing call to Alice (+31508009899)"),
        ("Call", "outgoing call to 0201234567"),
        # Only its end was heard of: it was missed (its start is not made up).
        ("Call", "missed call from an unknown number"),
        ("Call", "outgoing call to an unknown number"),
    ]
    await hass.config.async_update(language="nl")
    await hass.async_block_till_done()
    assert (await logbook_lines(hass, hass_ws_client))[1:4] == [
        ("Gesprek", "gemist gesprek van Bakker | Voys (+31612345678)"),
        ("Gesprek", "inkomend gesprek van Alice (+31508009899)"),
        ("Gesprek", "uitgaand gesprek naar Alice (+31508009899)"),
    ]


@pytest.mark.usefixtures("logbook")
async def test_call_end_is_no_line_of_its_own(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A recorded call end (as earlier versions described it) is no line now."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    hass.bus.async_fire(
        "clicktodial_call_ended",
        {"entity_id": EVENT, "b_number": "202", "contact": None, "status": "parked"},
    )
    await hass.async_block_till_done()

    assert await all_lines(hass, hass_ws_client) == []
