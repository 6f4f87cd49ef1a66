"""Tests of the phones online: a connectivity sensor per phone account of the user.

The company's phone accounts are read every 5 minutes, beside which phone rings (which
says whose they are); phone accounts the user gains or loses gain or lose their sensor;
failed reads follow the rules of every polled read; the account's rate limit is shared.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.clicktodial.const import DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from simulator import DEFAULT_EMAIL, Account, Fault, Simulator

from .conftest import ACCOUNT_UUID
from .helpers import reauth_flows, set_up, state
from .timing import TimeDriver

DESK = "binary_sensor.demo_user_desk_201_online"
SOFTPHONE = "binary_sensor.demo_user_softphone_202_online"
SELECT = "select.demo_user_phone_that_rings"
FROZEN = "2026-11-26 12:00:00+00:00"
YEALINK = "Yealink SIP-T54W 96.86.0.100"


def phone_sensors(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the account's binary sensors in the entity registry."""
    return sorted(
        item.entity_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if item.domain == Platform.BINARY_SENSOR
    )


def record(phone: dict[str, Any], useragent: str | None) -> dict[str, Any]:
    """Return a phone account record of the platform's list."""
    return {
        **phone,
        "sipreginfo": None if useragent is None else {"useragent": useragent},
    }


# -- the entities ------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One sensor per phone account of the user, named after it; colleagues' get none."""
    await set_up(hass, mock_config_entry, Platform.BINARY_SENSOR)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)

    desk = hass.states.get(DESK)
    assert desk is not None
    assert desk.state == STATE_ON
    assert desk.attributes["friendly_name"] == "Demo User Desk (201) online"
    assert desk.attributes["device_class"] == "connectivity"
    assert desk.attributes["device"] == YEALINK
    assert desk.attributes["internal_number"] == "201"
    softphone = hass.states.get(SOFTPHONE)
    assert softphone is not None
    assert softphone.state == STATE_OFF
    assert softphone.attributes["device"] is None
    assert phone_sensors(hass, mock_config_entry) == [DESK, SOFTPHONE]
    entity = entity_registry.async_get(DESK)
    assert entity is not None
    assert entity.unique_id == f"{ACCOUNT_UUID}_phone_101_online"
    assert entity.translation_key == "phone_online"
    # Read at set-up after which phone rings: one page of the phone account list.
    assert [r.endpoint for r in simulator.requests] == [
        "profile",
        "get_destinations",
        "phone_accounts",
        "call_history_v2",
        "queues",
        "caller_ids",
    ]


@pytest.mark.freeze_time(FROZEN)
async def test_dutch_names(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The name follows Home Assistant's language."""
    hass.config.language = "nl"
    await set_up(hass, mock_config_entry)

    assert hass.states.get(DESK).attributes["friendly_name"] == (
        "Demo User Desk (201) online"
    )
    assert hass.states.get(DESK).state == STATE_ON


@pytest.mark.freeze_time(FROZEN)
async def test_registration_follows_every_5_minutes(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A phone that goes offline, or comes online, shows at the next read."""
    await set_up(hass, mock_config_entry)
    simulator.phones.unregister(DEFAULT_EMAIL, 101)
    simulator.phones.register(DEFAULT_EMAIL, 102, "Voys app 3.1")

    await driver.run_for(299)
    assert (state(hass, DESK), state(hass, SOFTPHONE)) == (STATE_ON, STATE_OFF)
    await driver.run_for(2)

    assert (state(hass, DESK), state(hass, SOFTPHONE)) == (STATE_OFF, STATE_ON)
    assert hass.states.get(SOFTPHONE).attributes["device"] == "Voys app 3.1"
    assert hass.states.get(DESK).attributes["device"] is None
    assert simulator.count("phone_accounts") == simulator.count("get_destinations") == 2


@pytest.mark.freeze_time(FROZEN)
async def test_phone_accounts_come_and_go(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A phone account the user gains gets a sensor; one the user loses loses it."""
    await set_up(hass, mock_config_entry)
    kitchen = {"id": 103, "account_id": 150010003, "internal_number": 203}
    account.phone_accounts = [account.phone_accounts[0], kitchen]
    simulator.phones.register(DEFAULT_EMAIL, 103, "Gigaset C430")

    await driver.run_for(301)

    kitchen_sensor = "binary_sensor.demo_user_203_online"
    assert phone_sensors(hass, mock_config_entry) == [kitchen_sensor, DESK]
    assert hass.states.get(SOFTPHONE) is None
    assert state(hass, kitchen_sensor) == STATE_ON
    assert hass.states.get(kitchen_sensor).attributes["friendly_name"] == (
        "Demo User 203 online"
    )
    # Named later: the name follows, the entity id stays.
    account.phone_accounts[1] = {**kitchen, "description": "Kitchen"}
    await driver.run_for(300)
    assert hass.states.get(kitchen_sensor).attributes["friendly_name"] == (
        "Demo User Kitchen (203) online"
    )


@pytest.mark.freeze_time(FROZEN)
async def test_stale_sensors_go_at_setup(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A phone account the user lost while Home Assistant was off loses its sensor."""
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    account.phone_accounts = account.phone_accounts[:1]

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert phone_sensors(hass, mock_config_entry) == [DESK]
    assert hass.states.get(SOFTPHONE) is None


@pytest.mark.parametrize(
    ("endpoint", "status"),
    [
        ("phone_accounts", 403),
        ("phone_accounts", 404),
        ("get_destinations", 404),
    ],
    ids=["list_forbidden", "no_list", "no_destinations"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_no_phone_list(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
    endpoint: str,
    status: int,
) -> None:
    """Without the phone list (or which phone rings), no sensors, and it is not asked again.

    Sensors made before (another set-up) are removed.
    """
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    simulator.inject(endpoint, Fault.http(status))

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await driver.run_for(3600)

    assert phone_sensors(hass, mock_config_entry) == []
    assert simulator.count("phone_accounts") == 2 if endpoint == "phone_accounts" else 1
    if endpoint == "phone_accounts":
        # Which phone rings goes on.
        assert state(hass, SELECT) == "Desk (201)"
        assert simulator.count("get_destinations") == 2 + 11


@pytest.mark.freeze_time(FROZEN)
async def test_user_without_phone_accounts(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A user without phone accounts has no sensors (the company's list is still read)."""
    account.phone_accounts = []
    account.selected_phoneaccount = None

    await set_up(hass, mock_config_entry)

    assert phone_sensors(hass, mock_config_entry) == []
    assert simulator.count("phone_accounts") == 1


@pytest.mark.freeze_time(FROZEN)
async def test_whole_list_without_the_phone(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A phone account of the user missing from the whole (active) list is offline."""
    desk = account.phone_accounts[0]
    simulator.inject(
        "phone_accounts",
        Fault.http(200, {"meta": {"next": None}, "objects": [record(desk, YEALINK)]}),
    )

    await set_up(hass, mock_config_entry)

    assert (state(hass, DESK), state(hass, SOFTPHONE)) == (STATE_ON, STATE_OFF)


@pytest.mark.freeze_time(FROZEN)
async def test_list_too_long(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A phone not found within 10 pages of the list is unavailable (not known)."""
    desk = account.phone_accounts[0]
    colleagues = [
        record({"id": 1000 + number, "description": f"Colleague {number}"}, None)
        for number in range(99)
    ]
    page = {"meta": {"next": "more"}, "objects": [record(desk, None), *colleagues]}
    simulator.inject("phone_accounts", Fault.http(200, page), times=10)

    await set_up(hass, mock_config_entry)

    assert simulator.count("phone_accounts") == 10
    assert state(hass, DESK) == STATE_OFF
    assert state(hass, SOFTPHONE) == STATE_UNAVAILABLE


# -- faults ------------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_failures_keep_the_state_for_15_minutes(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Failed reads are retried after 30 s, 1, 2, 4, 5 minutes; after 15, unavailable."""
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()
    simulator.inject("phone_accounts", Fault.http(500), times=3)
    simulator.inject("phone_accounts", Fault.malformed(), times=2)
    simulator.inject("phone_accounts", Fault.http(503), times=2)

    await driver.run_for(300 + 900 - 1)
    assert state(hass, DESK) == STATE_ON  # kept through 15 minutes less a second
    await driver.run_for(2)
    assert state(hass, DESK) == STATE_UNAVAILABLE
    assert state(hass, SELECT) == "Desk (201)"  # which phone rings was read meanwhile
    await driver.run_for(300)

    assert [
        round(request.at - origin)
        for request in simulator.requests
        if request.endpoint == "phone_accounts" and request.at > origin
    ] == [300, 330, 390, 510, 750, 1050, 1200, 1500]
    assert state(hass, DESK) == STATE_ON


@pytest.mark.freeze_time(FROZEN)
async def test_rate_limit_is_shared(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A 429 of the phone list pauses the account's other reads; the state is kept."""
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()
    simulator.inject("phone_accounts", Fault.rate_limited("900"))

    await driver.run_for(20 * 60 + 5)

    limited_at = next(
        request.at
        for request in simulator.requests
        if request.endpoint == "phone_accounts" and request.at > origin
    )
    # Limited at 5 minutes until 20: which phone rings (unless read just before) and the
    # history read due at 15 minutes wait.
    assert round(limited_at - origin) == 300
    assert sorted(
        (round(request.at - origin), request.endpoint)
        for request in simulator.requests
        if request.at > limited_at
    ) == [
        (1200, "call_history_v2"),
        (1200, "get_destinations"),
        (1200, "phone_accounts"),
    ]
    assert state(hass, DESK) == STATE_ON


@pytest.mark.freeze_time(FROZEN)
async def test_revoked_token(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A token refused by the phone list asks for a new one."""
    await set_up(hass, mock_config_entry)
    simulator.inject("phone_accounts", Fault.http(401))

    await driver.run_for(301)

    assert reauth_flows(hass, mock_config_entry)
    assert DOMAIN in hass.config.components


@pytest.mark.freeze_time(FROZEN)
async def test_forbidden_later_is_a_failure(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A 403 after a good first read keeps the sensors and the last state."""
    await set_up(hass, mock_config_entry)
    simulator.inject("phone_accounts", Fault.http(403))

    await driver.run_for(301)

    assert state(hass, DESK) == STATE_ON
    assert phone_sensors(hass, mock_config_entry) == [DESK, SOFTPHONE]


@pytest.mark.freeze_time(FROZEN)
async def test_sensors_come_with_the_first_good_read(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Until which phone rings was first read, no sensor is added or removed."""
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    simulator.inject("get_destinations", Fault.http(500))

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    # The sensors of the last set-up are kept, restored as unavailable.
    assert phone_sensors(hass, mock_config_entry) == [DESK, SOFTPHONE]
    assert state(hass, DESK) == STATE_UNAVAILABLE
    await driver.run_for(31)  # the read after a failure comes 30 s later

    assert (state(hass, DESK), state(hass, SOFTPHONE)) == (STATE_ON, STATE_OFF)


# -- diagnostics -------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Diagnostics count the company's phones and show the user's, without names."""
    assert await async_setup_component(hass, "diagnostics", {})
    await set_up(hass, mock_config_entry)

    result = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    phones = result["phones_online"]
    assert phones["last_update_success"] is True
    assert phones["data"]["phone_accounts"] == 4  # the user's two, two colleagues'
    assert phones["data"]["registered"] == 3
    assert phones["data"]["complete"] is True
    assert [
        (phone["id"], phone["registered"], phone["useragent"])
        for phone in phones["data"]["user_phones"]
    ] == [("101", True, YEALINK), ("102", False, None)]
    dump = json.dumps(phones)
    for secret in ("201", "202", "Desk", "Softphone", "Reception", "snom"):
        assert secret not in dump


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (500, {"data": None, "last_update_success": False}),
        (403, None),
    ],
    ids=["not_read_yet", "not_allowed"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_diagnostics_without_phones(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    status: int,
    expected: dict[str, Any] | None,
) -> None:
    """Before a first good read there is no data; without the list, no section."""
    assert await async_setup_component(hass, "diagnostics", {})
    simulator.inject("phone_accounts", Fault.http(status))
    await set_up(hass, mock_config_entry)

    result = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert result["phones_online"] == expected
    assert result["destinations"]["last_update_success"] is True
