"""Helpers of the call notification tests: a reachable Home Assistant and the entities."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from simulator import Simulator

# The one account helper, here too for the modules that import it from here.
from .helpers import account_entry

__all__ = ["account_entry"]

PHONE = "sensor.demo_user_phone"
PHONE_CALLS = "event.demo_user_phone_calls"
MISSED_CALLS = "todo.demo_user_missed_calls"
CALLER = "+31612345678"
# The user's desk phone (internal number 201) as a notification names it.
DESK_TARGET = {
    "account_number": 234,
    "name": "Desk",
    "number": "+31508009000",
    "user_numbers": ["201"],
}
# A colleague's phone (internal number 205) as a notification names it.
COLLEAGUE_TARGET = {
    "account_number": 240,
    "name": "Reception",
    "number": "205",
    "user_numbers": ["205"],
}
WEBHOOK_PATH = "/api/webhook/"


async def reachable_home_assistant(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Serve Home Assistant's HTTP API on 127.0.0.1 and make that its external URL.

    The simulator then pushes its notifications to Home Assistant over real HTTP.
    """
    assert await async_setup_component(hass, "webhook", {})
    # The calendar registers its views when set up: before the server starts, as the
    # account's calendar needs it.
    assert await async_setup_component(hass, "calendar", {})
    client = await hass_client_no_auth()
    await hass.config.async_update(external_url=f"http://{client.host}:{client.port}")
    return client


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add an account and set it up, its subscription included."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


def webhook_path(simulator: Simulator) -> str:
    """Return the path of the one subscribed webhook."""
    (subscription,) = simulator.subscriptions.values()
    path = URL(subscription.target_url).path
    assert path.startswith(WEBHOOK_PATH)
    return path


async def post(client: TestClient, path: str, body: Any) -> tuple[int, Any]:
    """POST a notification as JSON; return the status and decoded answer."""
    response = await client.post(path, json=body)
    text = await response.text()
    return response.status, json.loads(text) if text else None


async def todo_items(
    hass: HomeAssistant, entity_id: str = MISSED_CALLS
) -> list[dict[str, Any]]:
    """Return the missed calls list through the to-do action."""
    response = await hass.services.async_call(
        "todo",
        "get_items",
        {"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    items = response[entity_id]["items"]  # type: ignore[index]
    assert isinstance(items, list)
    return items


def notification(
    status: str,
    call_id: str = "call-1",
    *,
    direction: str = "inbound",
    reason: str = "",
    caller: str | None = CALLER,
    name: str | None = "Bakker | Voys",
    targets: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return a notification body; by default the call rings the user's desk phone."""
    return {
        "call_id": call_id,
        "timestamp": "2026-11-28T12:00:00+00:00",
        "status": status,
        "version": "v2",
        "direction": direction,
        "reason": reason,
        "caller": {"number": caller, "name": name},
        "destination": {
            "number": "+31508009000",
            "targets": [DESK_TARGET] if targets is None else targets,
        },
    }


def fired(hass: HomeAssistant) -> list[str]:
    """Collect the event types the Phone calls entity fires from now on.

    An event entity added again after a reload shows its last event again: only a state
    written over a state it already had is a new event.
    """
    types: list[str] = []

    @callback
    def listener(event: Event) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if (
            event.data["entity_id"] == PHONE_CALLS
            and old is not None
            and new is not None
            and old.state != STATE_UNAVAILABLE
            and new.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
        ):
            types.append(new.attributes["event_type"])

    hass.bus.async_listen("state_changed", listener)
    return types
