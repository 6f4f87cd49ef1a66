"""Tests of call notifications: the option, the subscription, the webhook and the entities.

Home Assistant's HTTP API is served on 127.0.0.1 and is its own external URL, so the
simulator subscribes and pushes its scripted calls to the real webhook over HTTP.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
import logging
from pathlib import Path
from string import Formatter
import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.clicktodial.const import (
    CONF_AUTO_ANSWER,
    CONF_CALL_NOTIFICATIONS,
    CONF_NUMBER,
    DOMAIN,
    SUBENTRY_TYPE_CONTACT,
)
from custom_components.clicktodial.pushed.state import FORGET_AFTER
from custom_components.clicktodial.services import SERVICE_CALL
from homeassistant.components.diagnostics import REDACTED
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.const import CONF_NAME, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from simulator import Account, Fault, Simulator

from .conftest import ACCOUNT_UUID
from .helpers import advance, reauth_flows
from .notification_helpers import (
    CALLER,
    MISSED_CALLS,
    PHONE,
    PHONE_CALLS,
    account_entry,
    async_setup,
    notification,
    post,
    reachable_home_assistant,
    todo_items,
    webhook_path,
)

NOTIFICATION_ENTITIES = (PHONE, PHONE_CALLS, MISSED_CALLS)


def issues(hass: HomeAssistant) -> set[str]:
    """Return the translation keys of the integration's repair issues."""
    registry = ir.async_get(hass)
    return {
        issue.translation_key or ""
        for (domain, _), issue in registry.issues.items()
        if domain == DOMAIN
    }


async def set_option(hass: HomeAssistant, entry: MockConfigEntry, on: bool) -> None:
    """Turn call notifications on or off in the options flow; wait for the reload."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_AUTO_ANSWER: "platform", CONF_CALL_NOTIFICATIONS: on},
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done(wait_background_tasks=True)


# -- the option ----------------------------------------------------------------------------


async def test_option_on_and_off(
    hass: HomeAssistant,
    client: TestClient,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Test the option adds the webhook, subscription and entities; off removes them."""
    await async_setup(hass, mock_config_entry)
    assert simulator.count("subscribe") == 0
    for entity_id in NOTIFICATION_ENTITIES:
        assert hass.states.get(entity_id) is None

    await set_option(hass, mock_config_entry, on=True)

    assert mock_config_entry.options == {
        CONF_AUTO_ANSWER: "platform",
        CONF_CALL_NOTIFICATIONS: True,
    }
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert simulator.count("subscribe") == 1
    (subscription,) = simulator.subscriptions.values()
    webhook_id = subscription.target_url.rsplit("/", 1)[1]
    assert subscription.target_url == (
        f"http://{client.host}:{client.port}/api/webhook/{webhook_id}"
    )
    assert len(webhook_id) == 64
    assert int(webhook_id, 16) >= 0
    assert hass.states.get(PHONE).state == "idle"
    assert hass.states.get(PHONE_CALLS).state == STATE_UNKNOWN
    assert hass.states.get(MISSED_CALLS).state == "0"
    registry = er.async_get(hass)
    device_ids = {registry.async_get(e).device_id for e in NOTIFICATION_ENTITIES}
    assert device_ids == {registry.async_get("sensor.demo_user_call_status").device_id}

    await set_option(hass, mock_config_entry, on=False)

    assert mock_config_entry.options == {CONF_AUTO_ANSWER: "platform"}
    assert simulator.subscriptions == {}
    assert simulator.requests[-1].method == "DELETE"
    for entity_id in NOTIFICATION_ENTITIES:
        assert hass.states.get(entity_id) is None
        assert registry.async_get(entity_id) is None
    status, _ = await post(
        client, f"/api/webhook/{webhook_id}", notification("ringing")
    )
    assert status == 200  # Home Assistant's answer to any unknown webhook
    assert hass.states.get(PHONE) is None


async def test_option_change_without_reload(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Test changing only the call defaults does not reload (nor subscribe again)."""
    profile_reads = simulator.count("profile")

    result = await hass.config_entries.options.async_init(loaded.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_AUTO_ANSWER: "on", CONF_CALL_NOTIFICATIONS: True}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert loaded.options == {CONF_AUTO_ANSWER: "on", CONF_CALL_NOTIFICATIONS: True}
    assert simulator.count("profile") == profile_reads
    assert simulator.count("subscribe") == 1


@pytest.mark.parametrize(
    ("entry", "form"),
    [
        (True, {CONF_AUTO_ANSWER: "platform", CONF_CALL_NOTIFICATIONS: True}),
        (True, {CONF_AUTO_ANSWER: "platform"}),
        (False, {CONF_AUTO_ANSWER: "on", CONF_CALL_NOTIFICATIONS: False}),
        (False, {CONF_AUTO_ANSWER: "off"}),
    ],
    ids=["on_unchanged", "on_form_without_switch", "off_unchanged", "off_no_switch"],
    indirect=["entry"],
)
async def test_saving_options_does_not_reload(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    form: dict[str, Any],
) -> None:
    """Test saving the options with "Follow all calls" as it was reloads nothing.

    A reload makes every entity unavailable for a moment, which the logbook shows.
    """
    runtime_data = loaded.runtime_data
    following = bool(loaded.options.get(CONF_CALL_NOTIFICATIONS))
    written = async_capture_events(hass, "state_changed")

    result = await hass.config_entries.options.async_init(loaded.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] == "create_entry"
    assert bool(loaded.options.get(CONF_CALL_NOTIFICATIONS)) is following
    assert loaded.runtime_data is runtime_data
    assert [event.data["entity_id"] for event in written] == []
    assert simulator.count("subscribe") == int(following)
    assert (hass.states.get(PHONE) is not None) is following


async def test_option_suggested(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    """Test the options form shows the option as it is."""
    result = await hass.config_entries.options.async_init(loaded.entry_id)

    key = next(
        key
        for key in result["data_schema"].schema
        if str(key) == CONF_CALL_NOTIFICATIONS
    )
    assert key.description == {"suggested_value": True}


# -- the subscription ----------------------------------------------------------------------


async def test_subscribed_once(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Test a reload or restart with the same URL subscribes nothing again."""
    target = simulator.requests[-1].body["target_url"]
    stored = hass_storage[f"{DOMAIN}.notifications.{loaded.entry_id}"]["data"]
    assert stored["subscription"] == {
        "id": "1",
        "target_url": target,
        "cloudhook": False,
    }

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert simulator.count("subscribe") == 1
    assert simulator.count("unsubscribe") == 0
    assert [s.target_url for s in simulator.subscriptions.values()] == [target]


async def test_restart_keeps_webhook(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test unloading (as for a restart) keeps the subscription and the webhook id."""
    path = webhook_path(simulator)

    assert await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()
    assert simulator.count("unsubscribe") == 0
    assert len(simulator.subscriptions) == 1

    assert await hass.config_entries.async_setup(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert webhook_path(simulator) == path
    assert (await post(client, path, notification("ringing")))[0] == 200
    assert hass.states.get(PHONE).state == "ringing"


async def test_target_url_changed(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Test a changed external URL subscribes the new URL and deletes the old one."""
    path = webhook_path(simulator)
    await hass.config.async_update(external_url="https://home.example.invalid")

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    (subscription,) = simulator.subscriptions.values()
    assert subscription.id == "2"
    assert subscription.target_url == f"https://home.example.invalid{path}"
    assert [r.path for r in simulator.requests if r.method == "DELETE"] == [
        "/api/callnotification/callnotification/1/"
    ]


async def test_remove_account(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Test removing the account deletes its subscription and what was stored."""
    assert await hass.config_entries.async_remove(loaded.entry_id)
    await hass.async_block_till_done()

    assert simulator.subscriptions == {}
    assert f"{DOMAIN}.notifications.{loaded.entry_id}" not in hass_storage


async def test_remove_account_delete_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Test a failed deletion at removal is logged; the account is removed anyway."""
    simulator.inject("unsubscribe", Fault.http(500))

    assert await hass.config_entries.async_remove(loaded.entry_id)
    await hass.async_block_till_done()

    assert len(simulator.subscriptions) == 1
    assert "Could not delete the call notification subscription" in caplog.text
    assert hass.config_entries.async_get_entry(loaded.entry_id) is None


async def test_remove_account_without_notifications(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Test removing an account that never followed its calls asks nothing."""
    requests = len(simulator.requests)

    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()

    assert len(simulator.requests) == requests


async def test_delete_gone_already(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Test turning the option off succeeds when the platform forgot the subscription."""
    simulator.subscriptions.clear()

    await set_option(hass, loaded, on=False)

    assert simulator.count("unsubscribe") == 1
    assert loaded.state is ConfigEntryState.LOADED


async def test_delete_retried(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test a deletion that fails is retried later, and after a restart."""
    simulator.inject("unsubscribe", Fault.http(503), times=2)

    await set_option(hass, loaded, on=False)
    assert len(simulator.subscriptions) == 1

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.count("unsubscribe") == 2
    assert len(simulator.subscriptions) == 1

    await advance(hass, freezer, 30, step=5)

    assert simulator.subscriptions == {}
    assert simulator.count("unsubscribe") == 3


async def test_forbidden(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    client: TestClient,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test a 403 raises a repair issue, is not retried, and calls still work."""
    account.may_use_call_notifications = False

    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert issues(hass) == {"notifications_forbidden"}
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"notifications_forbidden_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {"account": "Demo User"}
    await advance(hass, freezer, 3600, step=600)
    assert simulator.count("subscribe") == 1
    await hass.services.async_call(
        DOMAIN, SERVICE_CALL, {"b_number": "+31508009899"}, blocking=True
    )
    assert simulator.count("start_call") == 1

    # Once an administrator has given the right: at the next setup.
    account.may_use_call_notifications = True
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert issues(hass) == set()
    assert len(simulator.subscriptions) == 1


async def test_not_found(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
) -> None:
    """Test a platform without the subscription endpoint (404) raises the same issue."""
    simulator.inject("subscribe", Fault.http(404))

    await async_setup(hass, entry)

    assert issues(hass) == {"notifications_forbidden"}


async def test_unauthorized(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
) -> None:
    """Test a 401 of the subscription asks for a new token."""
    simulator.inject("subscribe", Fault.http(401))

    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert len(reauth_flows(hass, entry)) == 1
    assert issues(hass) == set()


@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(500),
        Fault.http(503),
        Fault.malformed(201),
        Fault.connection_reset(),
        Fault.rate_limited("1"),
    ],
    ids=["500", "503", "malformed", "reset", "429"],
)
async def test_retried_with_backoff(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    fault: Fault,
) -> None:
    """Test passing failures are retried after 30, 60, 120 s..., never failing setup."""
    simulator.inject("subscribe", fault, times=3)

    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(PHONE).state == "idle"
    tries: list[float] = [0.0]
    elapsed = 0.0
    while not simulator.subscriptions:
        await advance(hass, freezer, 5, step=5)
        elapsed += 5
        if simulator.count("subscribe") > len(tries):
            tries.append(elapsed)
        assert elapsed < 600
    assert tries == [0, 30, 90, 210]
    assert issues(hass) == set()


async def test_retry_after_honoured(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test a 429 waits at least its Retry-After."""
    simulator.inject("subscribe", Fault.rate_limited("120"))

    await async_setup(hass, entry)
    await advance(hass, freezer, 115, step=5)
    assert simulator.count("subscribe") == 1

    await advance(hass, freezer, 5, step=5)
    assert simulator.count("subscribe") == 2
    assert len(simulator.subscriptions) == 1


async def test_setup_not_held_up(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
) -> None:
    """Test the account is set up while the subscription is still on its way."""
    release = asyncio.Event()
    simulator.inject("subscribe", Fault.held(release))
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert simulator.subscriptions == {}
    release.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.subscriptions) == 1


async def test_unload_stops_retrying(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test an unloaded account retries nothing."""
    simulator.inject("subscribe", Fault.http(500))
    await async_setup(hass, entry)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await advance(hass, freezer, 60, step=10)

    assert simulator.count("subscribe") == 1


async def test_no_url(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    entry: MockConfigEntry,
) -> None:
    """Test without an external URL nor Cloud, an issue says so; a URL makes it go."""
    assert await async_setup_component(hass, "webhook", {})
    await hass.config.async_update(internal_url="http://192.168.1.2:8123")

    await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert simulator.count("subscribe") == 0
    assert issues(hass) == {"notifications_no_url"}
    assert hass.states.get(PHONE).state == "idle"

    await reachable_home_assistant(hass, hass_client_no_auth)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert issues(hass) == set()
    assert len(simulator.subscriptions) == 1


async def test_url_gone(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Test a subscription to a URL Home Assistant no longer has is deleted."""
    await hass.config.async_update(external_url=None)

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert simulator.subscriptions == {}
    assert issues(hass) == {"notifications_no_url"}

    await set_option(hass, loaded, on=False)
    assert issues(hass) == set()


# -- Home Assistant Cloud ------------------------------------------------------------------


class CloudNotAvailableError(Exception):
    """Stand-in of Home Assistant Cloud's error."""


class CloudNotConnectedError(CloudNotAvailableError):
    """Stand-in of Home Assistant Cloud's error."""


@pytest.fixture
def cloud(hass: HomeAssistant) -> ModuleType:
    """Stand in for Home Assistant Cloud (which does not import here), subscribed."""
    module = ModuleType("homeassistant.components.cloud")
    module.CloudNotAvailable = CloudNotAvailableError  # type: ignore[attr-defined]
    module.CloudNotConnected = CloudNotConnectedError  # type: ignore[attr-defined]
    module.async_active_subscription = lambda hass: True  # type: ignore[attr-defined]
    module.async_get_or_create_cloudhook = AsyncMock(  # type: ignore[attr-defined]
        side_effect=lambda hass, webhook_id: (
            f"https://hooks.nabu.casa/{webhook_id[:8]}-cloudhook"
        )
    )
    module.async_delete_cloudhook = AsyncMock()  # type: ignore[attr-defined]
    hass.config.components.add("cloud")
    with patch.dict(sys.modules, {"homeassistant.components.cloud": module}):
        yield module


async def test_cloudhook(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    cloud: ModuleType,
) -> None:
    """Test a cloudhook is subscribed when Cloud is subscribed; removal deletes it."""
    await async_setup(hass, entry)

    (subscription,) = simulator.subscriptions.values()
    assert subscription.target_url.startswith("https://hooks.nabu.casa/")
    cloud.async_get_or_create_cloudhook.assert_awaited_once()  # type: ignore[attr-defined]

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert simulator.subscriptions == {}
    cloud.async_delete_cloudhook.assert_awaited_once()  # type: ignore[attr-defined]


async def test_cloud_not_connected_yet(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    cloud: ModuleType,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test a Cloud that is still connecting is waited for; its cloudhook then kept."""
    create = cloud.async_get_or_create_cloudhook  # type: ignore[attr-defined]
    side_effect = create.side_effect
    create.side_effect = CloudNotConnectedError

    await async_setup(hass, entry)
    assert simulator.subscriptions == {}

    create.side_effect = side_effect
    await advance(hass, freezer, 30, step=5)
    (subscription,) = simulator.subscriptions.values()
    assert subscription.target_url.startswith("https://hooks.nabu.casa/")

    # At the next start-up, Cloud is connecting again: the cloudhook stays subscribed.
    create.side_effect = CloudNotConnectedError
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.count("subscribe") == 1
    assert simulator.count("unsubscribe") == 0


async def test_cloud_not_subscribed(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    cloud: ModuleType,
) -> None:
    """Test without a Cloud subscription the external URL is used."""
    cloud.async_active_subscription = lambda hass: False  # type: ignore[attr-defined]

    await async_setup(hass, entry)

    (subscription,) = simulator.subscriptions.values()
    assert subscription.target_url.startswith(f"http://{client.host}:{client.port}/")

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    cloud.async_delete_cloudhook.assert_not_awaited()  # type: ignore[attr-defined]


# -- receiving -----------------------------------------------------------------------------


async def test_missed_call(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test a missed call: incoming, ringing, missed, and on the to-do list at its time."""
    missed_at = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    freezer.move_to(missed_at)
    states: list[str] = []
    events: list[dict[str, Any]] = []

    def record(event: Event[Any]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if event.data["entity_id"] == PHONE and new.state != old.state:
            states.append(new.state)
        elif event.data["entity_id"] == PHONE_CALLS:
            events.append(dict(new.attributes))

    hass.bus.async_listen("state_changed", record)
    call_id = await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()

    assert [d.status for d in simulator.deliveries] == [200] * 4
    assert states == ["ringing", "idle"]
    assert [e["event_type"] for e in events] == ["incoming", "missed"]
    assert events[0] == {
        "event_types": ["incoming", "outgoing", "answered", "ended", "missed"],
        "event_type": "incoming",
        "call_id": call_id,
        "direction": "inbound",
        "caller_number": CALLER,
        # Incoming once it rings the user's desk phone, when the platform knows a name.
        "caller_name": "Bakker | Voys",
        "other_number": CALLER,
        "other_name": "Bakker | Voys",
        "destination_number": "+31508009000",
        "friendly_name": "Demo User Phone calls",
    }
    assert events[1]["caller_name"] == "Bakker | Voys"
    assert events[1]["reason"] == "no-answer"
    assert hass.states.get(MISSED_CALLS).state == "1"
    (item,) = await todo_items(hass)
    assert item["summary"] == f"Bakker | Voys ({CALLER})"
    assert item["status"] == "needs_action"
    # Due when it was missed: a time the frontend shows in the user's zone and format.
    assert item["due"] == dt_util.as_local(missed_at).isoformat()
    assert "description" not in item

    # Checked off as the frontend does it, which sends the due back: it stays.
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": item["uid"], "status": "completed", "due_datetime": item["due"]},
        target={"entity_id": MISSED_CALLS},
        blocking=True,
    )
    (item,) = await todo_items(hass)
    assert (item["status"], item["due"]) == (
        "completed",
        dt_util.as_local(missed_at).isoformat(),
    )
    # Moved to when to call back: kept across a reload.
    later = missed_at + timedelta(hours=2)
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": item["uid"], "due_datetime": later},
        target={"entity_id": MISSED_CALLS},
        blocking=True,
    )
    await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()
    (item,) = await todo_items(hass)
    assert item["due"] == dt_util.as_local(later).isoformat()


async def test_answered_call(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test an answered call: ringing, in a call with its attributes, then idle."""
    path = webhook_path(simulator)
    events = async_capture_events(hass, "state_changed")

    for status, expected in (
        ("created", "ringing"),
        ("ringing", "ringing"),
        ("in-progress", "in_call"),
    ):
        assert (await post(client, path, notification(status)))[0] == 200
        assert hass.states.get(PHONE).state == expected
    assert hass.states.get(PHONE).attributes == {
        "call_id": "call-1",
        "direction": "inbound",
        "caller_number": CALLER,
        "caller_name": "Bakker | Voys",
        "other_number": CALLER,
        "other_name": "Bakker | Voys",
        "device_class": "enum",
        "options": ["idle", "ringing", "in_call"],
        "friendly_name": "Demo User Phone",
    }

    await post(client, path, notification("ended", reason="completed"))

    phone = hass.states.get(PHONE)
    assert phone.state == "idle"
    assert phone.attributes["call_id"] is None
    fired = [
        e.data["new_state"].attributes["event_type"]
        for e in events
        if e.data["entity_id"] == PHONE_CALLS
    ]
    assert fired == ["incoming", "answered", "ended"]
    assert hass.states.get(MISSED_CALLS).state == "0"


async def test_outgoing_call(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Test an outgoing call never rings here; answered, it is a call."""
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            seen.append(event.data["new_state"].state)
            if event.data["entity_id"] == PHONE
            else None
        ),
    )

    await simulator.ring("outgoing", speed=0)
    await hass.async_block_till_done()

    assert seen == ["in_call", "idle"]
    event = hass.states.get(PHONE_CALLS)
    assert event.attributes["event_type"] == "ended"
    assert event.attributes["direction"] == "outbound"
    assert event.attributes["destination_number"] == "+31508009899"


@pytest.mark.parametrize(
    ("script", "events", "missed"),
    [
        ("duplicates", ["incoming", "answered", "ended"], 0),
        ("out_of_order", ["incoming", "missed"], 1),
        ("answered_elsewhere", ["incoming", "ended"], 0),
        ("cancelled", ["incoming", "missed"], 1),
        ("outgoing_unanswered", ["outgoing", "ended"], 0),
    ],
)
async def test_scripts(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    script: str,
    events: list[str],
    missed: int,
) -> None:
    """Test repeated and late notifications change nothing twice."""
    fired = []
    # A callback: a plain function would run in the executor, in no sure order.
    hass.bus.async_listen(
        "state_changed",
        callback(
            lambda event: (
                fired.append(event.data["new_state"].attributes.get("event_type"))
                if event.data["entity_id"] == PHONE_CALLS
                else None
            )
        ),
    )

    await simulator.ring(script, speed=0)
    await hass.async_block_till_done()

    assert fired == events
    assert hass.states.get(PHONE).state == "idle"
    assert hass.states.get(MISSED_CALLS).state == str(missed)


async def test_several_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test a call answered while another rings; the phone shows the latest of each."""
    path = webhook_path(simulator)

    await post(client, path, notification("ringing", "a"))
    await post(client, path, notification("ringing", "b", caller="+31201234567"))
    assert hass.states.get(PHONE).attributes["call_id"] == "b"
    await post(client, path, notification("in-progress", "a"))
    assert hass.states.get(PHONE).state == "in_call"
    assert hass.states.get(PHONE).attributes["call_id"] == "a"
    await post(client, path, notification("ended", "a", reason="completed"))
    assert hass.states.get(PHONE).state == "ringing"
    assert hass.states.get(PHONE).attributes["caller_number"] == "+31201234567"


async def test_contact_name(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Test the caller's name is the contact's with the number written either way."""
    await hass.config.async_update(country="NL")
    entry = account_entry(simulator)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=entry.data,
        options=entry.options,
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

    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()

    event = hass.states.get(PHONE_CALLS)
    assert event.attributes["caller_name"] == "Alice"
    assert event.attributes["caller_number"] == CALLER
    (item,) = await todo_items(hass)
    assert item["summary"] == f"Alice ({CALLER})"

    # Another country: 0612345678 is another number there.
    await hass.config.async_update(country="BE")
    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()
    assert hass.states.get(PHONE_CALLS).attributes["caller_name"] == "Bakker | Voys"


async def test_unknown_caller(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test a missed call of a withheld number names an unknown caller."""
    path = webhook_path(simulator)
    await post(client, path, notification("ringing", caller=None, name=None))
    await post(
        client, path, notification("ended", reason="cancelled", caller=None, name=None)
    )

    (item,) = await todo_items(hass)
    assert item["summary"] == "Unknown caller"
    assert hass.states.get(PHONE_CALLS).attributes["caller_number"] is None


async def test_forgotten_after_silence(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test a call whose end never comes is forgotten after 4 hours of silence."""
    path = webhook_path(simulator)
    await post(client, path, notification("in-progress"))
    assert hass.states.get(PHONE).state == "in_call"

    await advance(hass, freezer, FORGET_AFTER - 60, step=600)
    assert hass.states.get(PHONE).state == "in_call"
    await advance(hass, freezer, 60, step=10)

    assert hass.states.get(PHONE).state == "idle"
    # Forgotten, not ended: no event.
    assert hass.states.get(PHONE_CALLS).attributes["event_type"] == "answered"


async def test_restart_while_ringing(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test after a restart the phone is idle until a notification says otherwise."""
    path = webhook_path(simulator)
    await post(client, path, notification("ringing"))
    assert hass.states.get(PHONE).state == "ringing"

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(PHONE).state == "idle"

    await post(client, path, notification("in-progress"))
    assert hass.states.get(PHONE).state == "in_call"


# -- bad bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"ringing"',
        b"null",
        b'{"status": "ringing"}',
        b'{"call_id": "c", "status": 3}',
        b'{"call_id": "c", "status": "ringing", "caller": "me"}',
        b"\xff\xfe",
    ],
)
async def test_bad_body(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    body: bytes,
) -> None:
    """Test a body that is not a notification gets 400 and changes nothing."""
    events = async_capture_events(hass, "state_changed")

    response = await client.post(webhook_path(simulator), data=body)

    assert response.status == 400
    assert "error" in await response.json()
    await hass.async_block_till_done()
    assert events == []


async def test_body_too_large(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test a body over 64 KiB gets 413; one just under is read."""
    path = webhook_path(simulator)
    body = notification("ringing")
    body["padding"] = " " * (64 * 1024)

    assert (await post(client, path, body))[0] == 413
    assert hass.states.get(PHONE).state == "idle"

    response = await client.post(path, data=b" " * (64 * 1024))
    assert response.status == 400  # read whole, then refused as no JSON


async def test_get_refused(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test the webhook takes POST only."""
    response = await client.get(webhook_path(simulator))

    assert response.status == 405


async def test_unknown_status(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Test an unknown status gets 200, is ignored, and is logged once per string."""
    path = webhook_path(simulator)
    events = async_capture_events(hass, "state_changed")

    for status in ("on-hold", "on-hold", "parked"):
        assert (await post(client, path, notification(status)))[0] == 200

    assert events == []
    ignored = [r for r in caplog.records if "Ignoring call notifications" in r.message]
    assert [r.message for r in ignored] == [
        "Ignoring call notifications with the status 'on-hold'",
        "Ignoring call notifications with the status 'parked'",
    ]
    for index in range(60):
        await post(client, path, notification(f"status-{index}"))
    ignored = [r for r in caplog.records if "Ignoring call notifications" in r.message]
    assert len(ignored) == 50


async def test_unexpected_error(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Test an error of the integration's own still answers 200, logged without URL."""
    with patch(
        "custom_components.clicktodial.pushed.state.NotifiedCalls.apply",
        side_effect=RuntimeError("boom"),
    ):
        status, _ = await post(client, webhook_path(simulator), notification("ringing"))

    assert status == 200
    assert "Unexpected error while handling a call notification" in caplog.text


async def test_webhook_id_never_logged(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test the webhook's id reaches no log line of the integration, nor diagnostics."""
    caplog.set_level(logging.DEBUG)
    simulator.inject("subscribe", Fault.http(500))
    await async_setup(hass, entry)
    await advance(hass, freezer, 30, step=5)
    path = webhook_path(simulator)
    webhook_id = path.rsplit("/", 1)[1]
    await simulator.ring("missed", speed=0)
    await post(client, path, notification("unknown"))
    await client.post(path, data=b"x")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    own = [
        r for r in caplog.records if r.name.startswith("custom_components.clicktodial")
    ]
    assert own
    for record in own:
        assert webhook_id not in record.getMessage()
        assert webhook_id[:16] not in record.getMessage()


async def test_diagnostics(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Test diagnostics show the notifications' state, without URL, id or numbers."""
    webhook_id = webhook_path(simulator).rsplit("/", 1)[1]
    await simulator.ring("missed", speed=0)
    await simulator.ring("answered", speed=0)

    from custom_components.clicktodial.diagnostics import (
        async_get_config_entry_diagnostics,
    )

    diagnostics = await async_get_config_entry_diagnostics(hass, loaded)

    assert diagnostics["call_notifications"] == {
        "enabled": True,
        "subscribed": True,
        "cloudhook": False,
        "stale_subscriptions": 0,
        "subscribe_pending": False,
        "retrying": False,
        "phone": "idle",
        "calls": 2,
        "missed_calls": 1,
        "open_missed_calls": 1,
    }
    assert diagnostics["entry"]["options"] == {CONF_CALL_NOTIFICATIONS: True}
    text = repr(diagnostics)
    assert webhook_id not in text
    assert CALLER not in text
    assert REDACTED in text


# -- the missed calls list -----------------------------------------------------------------


async def test_check_off_and_delete(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Test missed calls are checked off and deleted, calling nobody."""
    await simulator.ring("missed", speed=0, caller_number="+31201111111")
    await simulator.ring("cancelled", speed=0, caller_number="+31202222222")
    await hass.async_block_till_done()
    assert hass.states.get(MISSED_CALLS).state == "2"
    newest, oldest = await todo_items(hass)
    assert "+31202222222" in newest["summary"]
    assert "+31201111111" in oldest["summary"]

    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": oldest["uid"], "status": "completed"},
        target={"entity_id": MISSED_CALLS},
        blocking=True,
    )
    assert hass.states.get(MISSED_CALLS).state == "1"
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": newest["uid"], "rename": "Call back Jan"},
        target={"entity_id": MISSED_CALLS},
        blocking=True,
    )
    await hass.services.async_call(
        "todo",
        "remove_item",
        {"item": [oldest["uid"]]},
        target={"entity_id": MISSED_CALLS},
        blocking=True,
    )

    (item,) = await todo_items(hass)
    assert item["summary"] == "Call back Jan"
    assert item["status"] == "needs_action"
    assert hass.states.get(MISSED_CALLS).state == "1"
    assert simulator.count("start_call") == 0


async def test_cannot_add(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    """Test only missed calls are added to the list."""
    with pytest.raises(Exception, match="does not support"):
        await hass.services.async_call(
            "todo",
            "add_item",
            {"item": "Call Jan"},
            target={"entity_id": MISSED_CALLS},
            blocking=True,
        )


async def test_update_unknown_item(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    """Test an item that is gone cannot be updated."""
    state = hass.states.get(MISSED_CALLS)
    assert state is not None
    entity = hass.data["todo"].get_entity(MISSED_CALLS)
    from homeassistant.components.todo.entity import TodoItem
    from homeassistant.exceptions import ServiceValidationError

    with pytest.raises(ServiceValidationError) as err:
        await entity.async_update_todo_item(TodoItem(uid="gone", summary="x"))
    assert err.value.translation_key == "missed_call_not_found"


async def test_missed_calls_kept(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Test the list survives a restart; turning the option off empties it."""
    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()
    (before,) = await todo_items(hass)

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert await todo_items(hass) == [before]
    assert hass.states.get(MISSED_CALLS).state == "1"

    await set_option(hass, loaded, on=False)
    stored = hass_storage[f"{DOMAIN}.notifications.{loaded.entry_id}"]["data"]
    assert stored["missed_calls"] == []
    await set_option(hass, loaded, on=True)
    assert await todo_items(hass) == []


async def test_at_most_100_missed_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test the list keeps the newest 100 (checked-off ones go first)."""
    path = webhook_path(simulator)
    for index in range(105):
        await post(
            client, path, notification("ended", f"c{index}", caller=f"+3120{index:07d}")
        )

    items = await todo_items(hass)
    assert len(items) == 100
    assert "+31200000104" in items[0]["summary"]
    assert "+31200000005" in items[-1]["summary"]
    assert hass.states.get(MISSED_CALLS).state == "100"


async def test_unknown_caller_translated(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Test the unknown caller is named in Home Assistant's language."""
    hass.config.language = "nl"
    await async_setup(hass, account_entry(simulator))

    await post(
        client,
        webhook_path(simulator),
        notification("ended", reason="busy", caller=None, name=None),
    )

    entity_id = er.async_get(hass).async_get_entity_id(
        "todo", DOMAIN, f"{ACCOUNT_UUID}_missed_calls"
    )
    assert entity_id == "todo.demo_user_gemiste_gesprekken"
    (item,) = await todo_items(hass, entity_id)
    assert item["summary"] == "Onbekende beller"

    # Back in English, without a reload: the next one is named in English.
    await hass.config.async_update(language="en")
    await hass.async_block_till_done()
    await post(
        client,
        webhook_path(simulator),
        notification("ended", reason="busy", caller=None, name=None, call_id="second"),
    )
    summaries = {item["summary"] for item in await todo_items(hass, entity_id)}
    assert summaries == {"Onbekende beller", "Unknown caller"}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_issue_translations(language: str) -> None:
    """Test both repair issues are translated, naming the account."""
    path = (
        Path(__file__).parent.parent
        / "custom_components"
        / DOMAIN
        / "translations"
        / f"{language}.json"
    )
    strings = json.loads(path.read_text(encoding="utf-8"))

    assert set(strings["issues"]) == {"notifications_no_url", "notifications_forbidden"}
    for issue in strings["issues"].values():
        assert set(issue) == {"title", "description"}
        for text in issue.values():
            assert {name for _, name, _, _ in Formatter().parse(text) if name} == {
                "account"
            }
    option = strings["options"]["step"]["init"]
    # The dialog's title names both things it holds.
    assert {"en": "notifications", "nl": "notificaties"}[language] in option["title"]
    assert option["data"][CONF_CALL_NOTIFICATIONS]
    assert option["data_description"][CONF_CALL_NOTIFICATIONS]
