"""Tests of setting up, unloading and removing Click to dial accounts."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.calls.coordinator import ClickToDialCoordinator
from custom_components.clicktodial.const import DOMAIN
from custom_components.clicktodial.services import SERVICE_CALL
from custom_components.clicktodial.voipgrid import VoipgridClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from simulator import DEFAULT_EMAIL, Account, Fault, Simulator

from .conftest import ACCOUNT_UUID, SECOND_UUID
from .helpers import advance, reauth_flows

NUMBER = "+31508009899"
SENSOR = "sensor.demo_user_call_status"
EVENT = "event.demo_user_call"


async def async_setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add an entry and try to set it up."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def async_start_call(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Start a call from an account and return its id."""
    response = await hass.services.async_call(
        DOMAIN,
        SERVICE_CALL,
        {"b_number": NUMBER, "config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    call_id = response["call_id"]
    assert isinstance(call_id, str)
    return call_id


async def test_setup_and_unload(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Test an account is set up with its profile checked, and unloaded."""
    await async_setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert simulator.count("profile") == 1
    assert simulator.requests[0].email == DEFAULT_EMAIL
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN
    assert hass.states.get(EVENT).state == STATE_UNKNOWN

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(SENSOR).state == STATE_UNAVAILABLE
    assert hass.states.get(EVENT).state == STATE_UNAVAILABLE
    assert hass.services.has_service(DOMAIN, SERVICE_CALL)


async def test_runtime_data(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Test the runtime data holds the account's client and coordinator."""
    data = init_integration.runtime_data

    assert isinstance(data.client, VoipgridClient)
    assert data.client.base_url == simulator.url
    assert isinstance(data.coordinator, ClickToDialCoordinator)
    assert data.coordinator.client is data.client
    assert data.coordinator.config_entry is init_integration
    assert data.coordinator.profile is not None
    assert data.coordinator.profile.email == DEFAULT_EMAIL
    assert data.coordinator.profile.unique_id == ACCOUNT_UUID
    assert data.coordinator.data.latest is None
    assert data.coordinator.tracked_calls == []


async def test_unload_stops_polling(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Test an unloaded account no longer asks the platform about its calls."""
    await async_start_call(hass, init_integration)
    await advance(hass, freezer, 1)
    polls = simulator.count("get_call")
    assert polls >= 1

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await advance(hass, freezer, 5)

    assert simulator.count("get_call") == polls


async def test_service_device(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> None:
    """Test each account has one service device holding its entities."""
    await async_setup_entry(hass, second_entry)
    assert second_entry.state is ConfigEntryState.LOADED
    device_registry = dr.async_get(hass)
    entity_registry = er.async_get(hass)

    for entry, uuid, name in (
        (init_integration, ACCOUNT_UUID, "Demo User"),
        (second_entry, SECOND_UUID, "Second User"),
    ):
        devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        assert len(devices) == 1
        device = devices[0]
        assert device.identifiers == {(DOMAIN, uuid)}
        assert device.entry_type is dr.DeviceEntryType.SERVICE
        assert device.name == name
        assert device.manufacturer == "VoIPGRID"
        assert device.model == "Click to dial"
        assert device.configuration_url == simulator.url
        entities = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        assert sorted(entity.unique_id for entity in entities) == [
            f"{uuid}_call",
            f"{uuid}_call_status",
            f"{uuid}_caller_id",
            f"{uuid}_calls",
            f"{uuid}_calls_today",
            f"{uuid}_dial",
            f"{uuid}_dial_number",
            f"{uuid}_missed_calls_today",
            f"{uuid}_phone_101_online",
            f"{uuid}_phone_102_online",
            f"{uuid}_phone_that_rings",
            f"{uuid}_queue_11",
            f"{uuid}_queue_12",
            f"{uuid}_stop_call",
        ]
        assert all(entity.device_id == device.id for entity in entities)
    assert len(device_registry.devices) == 2


@pytest.mark.parametrize(
    "refuse",
    [
        lambda simulator, account: setattr(account, "revoked", True),
        lambda simulator, account: setattr(account, "token", "new-token"),
        lambda simulator, account: simulator.inject("profile", Fault.http(403)),
    ],
    ids=["revoked", "token_changed", "forbidden"],
)
async def test_setup_auth_failed(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
    refuse: Any,
) -> None:
    """Test refused credentials fail the setup and start reauthentication."""
    refuse(simulator, account)

    await async_setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert simulator.count("profile") == 1
    assert simulator.count("start_call") == 0
    flows = reauth_flows(hass, mock_config_entry)
    assert len(flows) == 1
    assert flows[0]["step_id"] == "reauth_confirm"


@pytest.mark.parametrize(
    ("fault", "times"),
    [
        (Fault.http(500), 1),
        (Fault.http(503, {"detail": "Maintenance"}), 1),
        # aiohttp sends a GET once more when the connection drops: drop both.
        (Fault.connection_reset(), 2),
        (Fault.malformed(), 1),
        (Fault.http(200, {"email": "demo@example.com"}), 1),
        (Fault.rate_limited(), 1),
        (Fault.http(404, {"detail": "Not found."}), 1),
        (Fault.http(400, {"detail": "Bad request."}), 1),
    ],
    ids=[
        "server_error",
        "unavailable",
        "connection_reset",
        "malformed",
        "no_profile_id",
        "rate_limited",
        "not_found",
        "bad_request",
    ],
)
async def test_setup_not_ready(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    fault: Fault,
    times: int,
) -> None:
    """Test a failing profile request makes the setup retry later."""
    simulator.inject("profile", fault, times)

    await async_setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert simulator.count("profile") == times
    assert not reauth_flows(hass, mock_config_entry)

    # The faults were served: the next attempt succeeds.
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert simulator.count("profile") == times + 1


async def test_setup_platform_down(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Test a platform that does not answer makes the setup retry later."""
    await simulator.stop()

    await async_setup_entry(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert simulator.count("profile") == 0
    assert not reauth_flows(hass, mock_config_entry)


@pytest.mark.usefixtures("freezer")
async def test_calls_survive_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Test the calls tracked before an unload are picked up again on setup."""
    call_id = await async_start_call(hass, init_integration)

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.data.latest is not None
    assert coordinator.data.latest.call_id == call_id
    assert [call.call_id for call in coordinator.tracked_calls] == [call_id]
    assert hass.states.get(SENSOR).state == "setting_up"


async def test_remove_entry_removes_stored_calls(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Test removing an account forgets its stored calls, and only those."""
    key = f"{DOMAIN}.{init_integration.entry_id}"
    other_key = f"{DOMAIN}.other_entry"
    hass_storage[other_key] = {
        "version": 1,
        "key": other_key,
        "data": {"latest": None, "calls": []},
    }
    call_id = await async_start_call(hass, init_integration)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[key]["data"]["latest"]["call_id"] == call_id
    assert [call["call_id"] for call in hass_storage[key]["data"]["calls"]] == [call_id]

    assert await hass.config_entries.async_remove(init_integration.entry_id) == {
        "require_restart": False
    }
    await advance(hass, freezer, 3, step=0.5)

    assert key not in hass_storage
    assert other_key in hass_storage
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert hass.config_entries.async_get_entry(init_integration.entry_id) is None


async def test_remove_loaded_entry_removes_stored_calls(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Test removing a loaded account with a pending save leaves nothing stored."""
    key = f"{DOMAIN}.{init_integration.entry_id}"
    await async_start_call(hass, init_integration)

    await hass.config_entries.async_remove(init_integration.entry_id)
    await advance(hass, freezer, 3, step=0.5)

    assert key not in hass_storage


async def test_action_registered_without_entries(hass: HomeAssistant) -> None:
    """Test the action exists as soon as the integration is set up."""
    assert not hass.services.has_service(DOMAIN, SERVICE_CALL)

    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()

    assert hass.services.has_service(DOMAIN, SERVICE_CALL)
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_failed_setup_keeps_saved_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A setup that fails before the saved calls are read leaves them as they were."""
    key = f"{DOMAIN}.{mock_config_entry.entry_id}"
    call = {
        "call_id": "saved",
        "b_number": "+31508009899",
        "started": "2026-11-26T10:00:00+00:00",
        "status": "connected",
        "status_changed": "2026-11-26T10:00:10+00:00",
        "tracking": True,
    }
    saved = {"latest": call, "calls": [call]}
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": saved}
    simulator.inject("profile", Fault.http(503))

    await async_setup_entry(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    await hass.async_block_till_done()
    assert hass_storage[key]["data"] == saved

    # Once the platform answers, the saved call is picked up and read again.
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert [r.path for r in simulator.requests if r.endpoint == "get_call"] == [
        "/api/clicktodial/saved/"
    ]
    state = hass.states.get(SENSOR)
    assert (state.state, state.attributes["call_id"]) == ("connected", "saved")
