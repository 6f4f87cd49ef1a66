"""Tests that pushed calls lose nothing, leave nothing behind and cannot be poisoned.

Subscriptions answered late, in flight across reloads and quick toggles; calls pushed
while the account's set-up is retried or waits for a new token; duplicates across a
restart; a ringing call whose end is lost; storage of the wrong shape; characters that
cannot be stored.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
import logging
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_AUTO_ANSWER,
    CONF_CALL_NOTIFICATIONS,
    DOMAIN,
)
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import restore_state
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from simulator import Fault, Simulator

from .helpers import advance, reauth_flows
from .notification_helpers import (
    MISSED_CALLS,
    PHONE,
    PHONE_CALLS,
    account_entry,
    async_setup,
    fired,
    notification,
    post,
    todo_items,
    webhook_path,
)
from .timing import turns_until


def stored(hass_storage: dict[str, Any], entry: MockConfigEntry) -> dict[str, Any]:
    """Return what the account's call notifications have written out."""
    data = hass_storage[f"{DOMAIN}.notifications.{entry.entry_id}"]["data"]
    assert isinstance(data, dict)
    return data


async def foreground(hass: HomeAssistant) -> None:
    """Wait for Home Assistant's tasks, not for background tasks."""
    await hass.async_block_till_done()


async def set_up_subscribing(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set an account up while its subscribe request is held or slow."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def options_flow(hass: HomeAssistant, entry: MockConfigEntry, on: bool) -> None:
    """Turn call notifications on or off, without waiting for what follows."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_AUTO_ANSWER: "platform", CONF_CALL_NOTIFICATIONS: on},
    )
    assert result["type"] == "create_entry"


# -- orphaned subscriptions ----------------------------------------------------------------


async def test_subscribe_answered_late(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A subscription the platform makes after the usual 10 s is kept, not made twice."""
    simulator.inject("subscribe", Fault.slow(40))
    await set_up_subscribing(hass, entry)
    assert stored(hass_storage, entry)["pending"] is not None

    # Background tasks are not waited for: the subscribe waits for the clock.
    await advance(hass, freezer, 180, step=5, settle=foreground)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert simulator.count("subscribe") == 1
    (subscription_id,) = simulator.subscriptions
    assert stored(hass_storage, entry)["subscription"]["id"] == subscription_id
    assert stored(hass_storage, entry)["pending"] is None

    await options_flow(hass, entry, on=False)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.subscriptions == {}


@pytest.mark.parametrize("option_after", [True, False], ids=["reload", "toggle_off"])
async def test_subscribe_in_flight_across_reload(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    option_after: bool,
) -> None:
    """A reload or an option toggle while subscribing takes the answer in; off deletes it."""
    release = asyncio.Event()
    simulator.inject("subscribe", Fault.held(release))
    await set_up_subscribing(hass, entry)

    if option_after:
        assert await hass.config_entries.async_reload(entry.entry_id)
    else:
        await options_flow(hass, entry, on=False)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    release.set()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert simulator.count("subscribe") == 1
    if option_after:
        (subscription_id,) = simulator.subscriptions
        assert stored(hass_storage, entry)["subscription"]["id"] == subscription_id
    else:
        assert simulator.subscriptions == {}
        assert stored(hass_storage, entry)["subscription"] is None
        assert stored(hass_storage, entry)["stale"] == []


@pytest.mark.parametrize(
    ("how", "option_after"),
    [("unload", True), ("disable", True), ("unload", False), ("retry", True)],
    ids=["unloaded", "disabled", "unloaded_option_off", "setup_retry"],
)
async def test_subscribe_answered_with_no_set_up(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    how: str,
    option_after: bool,
) -> None:
    """An answer that comes while the account is not set up is written to its store.

    What a restart reads: the subscription in use while the option is on, else one to
    delete. Set up again, the account uses or deletes it; it never subscribes twice. A
    set-up that is retried takes it in as it comes.
    """
    release = asyncio.Event()
    simulator.inject("subscribe", Fault.held(release))
    await set_up_subscribing(hass, entry)
    if how == "disable":
        await hass.config_entries.async_set_disabled_by(
            entry.entry_id, ConfigEntryDisabler.USER
        )
    elif how == "retry":
        simulator.inject("profile", Fault.http(503))
        await hass.config_entries.async_reload(entry.entry_id)
    else:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is not ConfigEntryState.LOADED
    if not option_after:
        hass.config_entries.async_update_entry(
            entry, options={CONF_CALL_NOTIFICATIONS: False}
        )
    release.set()
    await hass.async_block_till_done(wait_background_tasks=True)

    (subscription_id,) = simulator.subscriptions
    data = stored(hass_storage, entry)
    assert data["pending"] is None
    if option_after:
        assert data["subscription"]["id"] == subscription_id
    else:
        assert data["subscription"] is None
        assert data["stale"] == [subscription_id]

    if how == "disable":
        await hass.config_entries.async_set_disabled_by(entry.entry_id, None)
    elif how == "retry":
        assert await hass.config_entries.async_reload(entry.entry_id)
    else:
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.state is ConfigEntryState.LOADED
    assert simulator.count("subscribe") == 1
    assert list(simulator.subscriptions) == ([subscription_id] if option_after else [])


async def test_quick_toggles_leave_one_subscription(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Nine quick toggles of the option (five on) end with one subscription, then none."""
    entry = account_entry(simulator, notifications=False)
    await async_setup(hass, entry)
    for toggle in range(9):
        await options_flow(hass, entry, on=toggle % 2 == 0)
        await hass.async_block_till_done()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry.options[CONF_CALL_NOTIFICATIONS] is True
    assert simulator.count("subscribe") == 5
    assert len(simulator.subscriptions) == 1

    await options_flow(hass, entry, on=False)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.subscriptions == {}


async def test_subscribe_unanswered_is_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A subscribe whose answer never comes is retried, with a warning of a possible extra."""
    simulator.inject("subscribe", Fault.connection_reset())
    await async_setup(hass, entry)

    await advance(hass, freezer, 31, step=1)

    assert len(simulator.subscriptions) == 1
    assert "delete the older subscription in the platform's web portal" in caplog.text


async def test_removed_while_subscribing(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Removing the account while it subscribes deletes what the platform made."""
    release = asyncio.Event()
    simulator.inject("subscribe", Fault.held(release))
    await set_up_subscribing(hass, entry)

    removing = hass.async_create_task(hass.config_entries.async_remove(entry.entry_id))
    await asyncio.sleep(0)
    release.set()
    await removing
    await hass.async_block_till_done(wait_background_tasks=True)

    assert simulator.count("subscribe") == 1
    assert simulator.subscriptions == {}
    assert f"{DOMAIN}.notifications.{entry.entry_id}" not in hass_storage


async def test_stopping_waits_for_the_subscription(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Home Assistant stopping mid-subscribe writes the subscription out first."""
    release = asyncio.Event()
    simulator.inject("subscribe", Fault.held(release))
    await set_up_subscribing(hass, entry)

    stopping = hass.async_create_task(hass.async_stop(), eager_start=False)
    # Turns of the loop, not real time: the stop reaches its shutdown jobs without I/O,
    # and waits there for the subscription's answer.
    assert not await turns_until(stopping.done, turns=50)
    release.set()
    await stopping

    (subscription_id,) = simulator.subscriptions
    assert stored(hass_storage, entry)["subscription"]["id"] == subscription_id


# -- nothing lost during a failed set-up -----------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        (Fault.http(503), ConfigEntryState.SETUP_RETRY),
        (Fault.http(401), ConfigEntryState.SETUP_ERROR),
    ],
    ids=["setup_retry", "reauth"],
)
async def test_missed_call_during_failed_setup_kept(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    fault: Fault,
    state: ConfigEntryState,
) -> None:
    """A call pushed while the set-up is retried or waits for a token is kept."""
    path = webhook_path(simulator)
    simulator.inject("profile", fault)
    await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()
    assert loaded.state is state

    for status in ("created", "ringing", "ended"):
        answer, _ = await post(
            client, path, notification(status, "lost-1", reason="no-answer")
        )
        assert answer == 200

    if state is ConfigEntryState.SETUP_ERROR:
        # A new token reloads the account.
        assert len(reauth_flows(hass, loaded)) == 1
        assert await hass.config_entries.async_reload(loaded.entry_id)
    else:
        # Home Assistant tries the set-up again by itself.
        await advance(hass, freezer, 10, step=1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert loaded.state is ConfigEntryState.LOADED
    assert [item["summary"] for item in await todo_items(hass)] == [
        "Bakker | Voys (+31612345678)"
    ]


async def test_option_off_during_setup_retry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Turning the option off while the set-up is retried stops taking calls."""
    path = webhook_path(simulator)
    simulator.inject("profile", Fault.http(503))
    await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()

    await options_flow(hass, loaded, on=False)
    await advance(hass, freezer, 10, step=1)

    assert loaded.state is ConfigEntryState.LOADED
    assert simulator.subscriptions == {}
    assert hass.states.get(PHONE) is None
    answer, body = await post(client, path, notification("ringing"))
    assert (answer, body) != (200, {"ok": True})


async def test_removed_during_setup_retry(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    """Removing an account whose set-up is retried deletes its subscription."""
    simulator.inject("profile", Fault.http(503))
    await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()
    assert loaded.state is ConfigEntryState.SETUP_RETRY

    await hass.config_entries.async_remove(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert simulator.subscriptions == {}
    assert f"{DOMAIN}.notifications.{loaded.entry_id}" not in hass_storage


async def test_disabled_during_setup_retry_stops_receiving(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """An account disabled while its set-up is retried no longer takes calls."""
    path = webhook_path(simulator)
    simulator.inject("profile", Fault.http(503))
    await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()
    assert loaded.state is ConfigEntryState.SETUP_RETRY

    await hass.config_entries.async_set_disabled_by(
        loaded.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    answer, body = await post(client, path, notification("ringing"))
    # Home Assistant's answer for a webhook nobody listens to: no body of ours.
    assert (answer, body) != (200, {"ok": True})


# -- duplicates across a restart, and the lost end -------------------------------------------


async def test_end_after_restart_mid_call(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    """After a restart mid-call the end fires no second incoming; a repeat adds nothing."""
    path = webhook_path(simulator)
    await post(client, path, notification("created"))
    await post(client, path, notification("ringing"))
    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    types = fired(hass)

    await post(client, path, notification("ended", reason="no-answer"))
    assert types == ["missed"]
    assert len(await todo_items(hass)) == 1

    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await post(client, path, notification("ended", reason="no-answer"))
    assert types == ["missed"]
    assert len(await todo_items(hass)) == 1


async def test_answered_call_ends_after_restart(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """An answered call's end after a restart is an end, not a missed call."""
    path = webhook_path(simulator)
    await post(client, path, notification("ringing"))
    await post(client, path, notification("in-progress"))
    assert await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    types = fired(hass)

    await post(client, path, notification("ended", reason="completed"))

    assert types == ["ended"]
    assert await todo_items(hass) == []


async def test_entity_update_changes_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Asking the pushed entities to update reads nothing and fires nothing again."""
    assert await async_setup_component(hass, "homeassistant", {})
    await post(client, webhook_path(simulator), notification("ringing"))
    types = fired(hass)
    requests = len(simulator.requests)

    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": [PHONE, PHONE_CALLS, MISSED_CALLS]},
        blocking=True,
    )
    await hass.async_block_till_done()

    assert types == []
    assert hass.states.get(PHONE).state == "ringing"
    assert hass.states.get(PHONE_CALLS).state != STATE_UNAVAILABLE
    assert len(simulator.requests) == requests


async def test_subscription_waits_for_the_rate_limit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    client: TestClient,
    entry: MockConfigEntry,
) -> None:
    """A 429 on another read of the account holds the subscription back too."""
    simulator.inject("get_destinations", Fault.rate_limited("120"))
    await async_setup(hass, entry)
    assert simulator.count("subscribe") == 0

    await advance(hass, freezer, 115, step=5)
    assert simulator.count("subscribe") == 0
    await advance(hass, freezer, 10, step=1)
    assert len(simulator.subscriptions) == 1


async def test_ringing_without_end_forgotten(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """A call that only rang and whose end was lost stops ringing after 5 minutes."""
    await post(client, webhook_path(simulator), notification("ringing"))
    assert hass.states.get(PHONE).state == "ringing"

    await advance(hass, freezer, 295, step=5)
    assert hass.states.get(PHONE).state == "ringing"
    await advance(hass, freezer, 10, step=1)
    assert hass.states.get(PHONE).state == "idle"
    assert await todo_items(hass) == []


async def test_direction_from_a_later_notification(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """A call first told of without a direction gets it, and its event, later."""
    path = webhook_path(simulator)
    types = fired(hass)
    body = notification("created")
    body["direction"] = None
    await post(client, path, body)
    assert types == []
    assert hass.states.get(PHONE).state == "idle"

    await post(client, path, notification("ringing"))
    assert types == ["incoming"]
    assert hass.states.get(PHONE).state == "ringing"
    assert hass.states.get(PHONE_CALLS).attributes["direction"] == "inbound"


# -- characters that cannot be stored ----------------------------------------------------------


async def test_lone_surrogate_cleaned(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    """A lone UTF-16 surrogate in a notification is replaced; everything still saves."""
    path = webhook_path(simulator)
    body = notification("created", "call-\ud800", name="Bakker \udfff")
    for status in ("created", "ringing", "ended"):
        body["status"] = status
        body["reason"] = "no-answer" if status == "ended" else ""
        response = await client.post(
            path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status == 200

    (item,) = await todo_items(hass)
    assert item["summary"] == "Bakker \ufffd (+31612345678)"
    await advance(hass, freezer, 2, step=1)
    assert stored(hass_storage, loaded)["missed_calls"][0]["call_id"] == "call-\ufffd"

    await restore_state.async_get(hass).async_dump_states()
    assert hass_storage[restore_state.STORAGE_KEY]["data"]


# -- storage that cannot be read ----------------------------------------------------------------


@pytest.mark.parametrize(
    "notifications", [True, False], ids=["option_on", "option_off"]
)
@pytest.mark.parametrize(
    "which", ["notifications", "calls"], ids=["notifications", "calls"]
)
@pytest.mark.parametrize(
    "content",
    [
        {"version": 99, "data": {"webhook_id": "x"}},
        {"version": 1, "data": ["not", "a", "dict"]},
        {
            "version": 1,
            "data": {
                "webhook_id": 5,
                "subscription": 3,
                "stale": "ab",
                "missed_calls": "x",
                "calls": 7,
                "latest": [1],
            },
        },
        {
            "version": 1,
            "data": {
                "webhook_id": "",
                "subscription": {"id": True},
                "stale": [None, {}],
                "missed_calls": [None, {"uid": 1}],
                "calls": [None, {"call_id": 5}],
            },
        },
        {
            "version": 1,
            "data": {
                "webhook_id": "ab" * 32,
                "subscription": {"id": "7", "target_url": 5},
                "missed_calls": [
                    {
                        "uid": "u",
                        "summary": "Bakker",
                        "call_id": "c",
                        "missed_at": "2026-11-28T12:00:00",
                    }
                ],
            },
        },
        {"version": "x"},
    ],
    ids=[
        "newer_version",
        "list",
        "wrong_types",
        "empty_webhook_id",
        "naive_time",
        "no_data",
    ],
)
async def test_bad_storage_replaced(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    notifications: bool,
    which: str,
    content: dict[str, Any],
) -> None:
    """Storage of a newer version or an unknown shape is logged and replaced."""
    entry = account_entry(simulator, notifications=notifications)
    key = (
        f"{DOMAIN}.notifications.{entry.entry_id}"
        if which == "notifications"
        else f"{DOMAIN}.{entry.entry_id}"
    )
    hass_storage[key] = {"key": key, **content}

    with caplog.at_level(logging.WARNING):
        await async_setup(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    if notifications:
        answer, body = await post(
            client, webhook_path(simulator), notification("ringing")
        )
        assert (answer, body) == (200, {"ok": True})
        assert hass.states.get(PHONE).state == "ringing"
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    if which == "notifications" or notifications:
        assert json.dumps(hass_storage[f"{DOMAIN}.notifications.{entry.entry_id}"])


async def test_storage_replaced_once_logged(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The warning about unreadable storage names the data, once, and no secret."""
    entry = account_entry(simulator)
    key = f"{DOMAIN}.notifications.{entry.entry_id}"
    hass_storage[key] = {"key": key, "version": 99, "data": {}}

    await async_setup(hass, entry)

    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.clicktodial")
        and record.levelno >= logging.WARNING
    ]
    assert warnings == [
        "The stored call notifications cannot be read and will be replaced "
        "(UnsupportedStorageVersionError)"
    ]


async def test_missed_call_stored_by_an_older_version(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    hass_storage: dict[str, Any],
) -> None:
    """A missed call stored before its due could be moved is due when it was missed."""
    entry = account_entry(simulator, notifications=True)
    key = f"{DOMAIN}.notifications.{entry.entry_id}"
    hass_storage[key] = {
        "key": key,
        "version": 1,
        "data": {
            "webhook_id": "ab" * 32,
            "missed_calls": [
                {
                    "uid": "u",
                    "summary": "Bakker",
                    "done": False,
                    "checked_off": False,
                    "call_id": "c",
                    "caller_number": "+31612345678",
                    "caller_name": "Bakker",
                    "missed_at": "2026-11-28T12:00:00+00:00",
                }
            ],
        },
    }

    await async_setup(hass, entry)

    (item,) = await todo_items(hass)
    assert item["summary"] == "Bakker"
    assert (
        item["due"]
        == dt_util.as_local(datetime(2026, 11, 28, 12, tzinfo=UTC)).isoformat()
    )
