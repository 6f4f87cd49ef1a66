"""Tests of colleagues' phones: a device per phone account of the company."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_AUTO_ANSWER,
    CONF_CALL_NOTIFICATIONS,
    CONF_SHOW_COLLEAGUES,
    DOMAIN,
)
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_state_change_event
from simulator import DEFAULT_EMAIL, Fault, Simulator
from simulator.__main__ import parse_ring_args

from .notification_helpers import (
    account_entry,
    async_setup,
    notification,
    post,
    webhook_path,
)
from .timing import TimeDriver

RECEPTION = "sensor.reception_phone"
RECEPTION_ONLINE = "binary_sensor.reception_online"
SALES = "sensor.sales_phone"
SALES_ONLINE = "binary_sensor.sales_online"
# A read of the phone account list, and a little.
NEXT_READ = 5 * 60 + 5


def target(number: str) -> dict[str, Any]:
    """Return a colleague's phone as a notification names it."""
    return {"account_number": 1, "name": "x", "number": number, "user_numbers": []}


async def setup_colleagues(
    hass: HomeAssistant, simulator: Simulator, *, notifications: bool = True
) -> MockConfigEntry:
    """Set the account up showing colleagues' phones."""
    entry = account_entry(simulator, notifications=notifications)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_SHOW_COLLEAGUES: True}
    )
    await async_setup(hass, entry)
    return entry


def states(hass: HomeAssistant, *entity_ids: str) -> list[str | None]:
    """Return the states of some entities (None: no such entity)."""
    return [
        state.state if (state := hass.states.get(entity_id)) else None
        for entity_id in entity_ids
    ]


async def test_option_shows_colleagues(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """The option adds a device per colleague's phone account; off removes them."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    assert hass.states.get(RECEPTION) is None

    async def configure(show: bool) -> None:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                CONF_AUTO_ANSWER: "platform",
                CONF_CALL_NOTIFICATIONS: True,
                CONF_SHOW_COLLEAGUES: show,
            },
        )
        assert result["type"] == "create_entry"
        await hass.async_block_till_done(wait_background_tasks=True)

    await configure(True)
    assert entry.options[CONF_SHOW_COLLEAGUES] is True
    assert states(hass, RECEPTION, RECEPTION_ONLINE, SALES, SALES_ONLINE) == [
        "idle",
        STATE_ON,
        "idle",
        STATE_ON,
    ]
    assert hass.states.get(RECEPTION).attributes["internal_number"] == "200"
    online = hass.states.get(SALES_ONLINE).attributes
    assert online["internal_number"] == "210"
    assert online["device"] == "snom D785 10.1.184.14"
    (device,) = [
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        if (DOMAIN, f"{entry.unique_id}_colleague_301") in device.identifiers
    ]
    assert (device.name, device.serial_number) == ("Reception", "200")
    # The user's own phones are not colleagues'.
    assert hass.states.get("sensor.desk_phone") is None

    await configure(False)
    assert CONF_SHOW_COLLEAGUES not in entry.options
    assert states(hass, RECEPTION, RECEPTION_ONLINE) == [None, None]
    assert not [
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        if any("_colleague_" in key for _, key in device.identifiers)
    ]


async def test_colleagues_calls(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """A colleague's phone rings, is in a call and idle again as their calls go."""
    await setup_colleagues(hass, simulator)
    path = webhook_path(simulator)

    # The simulator's call to extension 200: ringing, answered, ended.
    bodies = [body for _, body in simulator.notifications("answered", to="200")]
    seen = []
    for body in bodies:
        assert (await post(client, path, body))[0] == 200
        seen.append(hass.states.get(RECEPTION).state)
    assert seen[-3:] == ["ringing", "in_call", "idle"]
    assert hass.states.get(SALES).state == "idle"

    # Sales calls out: in a call from the start, idle at the end.
    outgoing = [body for _, body in simulator.notifications("outgoing", to="210")]
    assert (await post(client, path, outgoing[0]))[0] == 200
    assert hass.states.get(SALES).state == "in_call"
    for body in outgoing[1:]:
        await post(client, path, body)
    assert hass.states.get(SALES).state == "idle"

    # A call that rings both; Sales answers it.
    await post(client, path, notification("ringing", "both", targets=[target("200")]))
    await post(client, path, notification("ringing", "both", targets=[target("210")]))
    assert states(hass, RECEPTION, SALES) == ["ringing", "ringing"]
    await post(
        client, path, notification("in-progress", "both", targets=[target("210")])
    )
    # The others stop ringing.
    assert states(hass, RECEPTION, SALES) == ["idle", "in_call"]


async def test_answered_without_targets(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """An answer that names no phone is the phones that rang."""
    await setup_colleagues(hass, simulator)
    path = webhook_path(simulator)

    await post(client, path, notification("ringing", "c", targets=[target("200")]))
    await post(client, path, notification("in-progress", "c", targets=[]))
    assert hass.states.get(RECEPTION).state == "in_call"


async def test_silent_calls_forgotten(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    driver: TimeDriver,
) -> None:
    """A colleague's call that goes silent is forgotten at the next notification."""
    await setup_colleagues(hass, simulator)
    path = webhook_path(simulator)

    await post(client, path, notification("ringing", "ring", targets=[target("200")]))
    await post(client, path, notification("ringing", "talk", targets=[target("210")]))
    await post(client, path, notification("in-progress", "talk", targets=[]))
    await driver.run_for(6 * 60)
    await post(client, path, notification("created", "other", targets=[]))
    # Ringing: forgotten after minutes; a conversation only after hours.
    assert states(hass, RECEPTION, SALES) == ["idle", "in_call"]


async def test_many_calls_bounded(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """Of a flood of calls that never end, the oldest are forgotten first."""
    await setup_colleagues(hass, simulator)
    path = webhook_path(simulator)

    await post(client, path, notification("ringing", "first", targets=[target("200")]))
    assert hass.states.get(RECEPTION).state == "ringing"
    for index in range(500):
        await post(client, path, notification("created", f"flood-{index}", targets=[]))
    assert hass.states.get(RECEPTION).state == "idle"


async def test_without_notifications_only_online(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Without call notifications a colleague's device shows only whether it is online."""
    await setup_colleagues(hass, simulator, notifications=False)

    assert states(hass, RECEPTION, RECEPTION_ONLINE) == [None, STATE_ON]


async def test_colleagues_come_and_go(
    hass: HomeAssistant, simulator: Simulator, client: TestClient, driver: TimeDriver
) -> None:
    """Phone accounts added or removed on the platform add or remove their devices."""
    entry = await setup_colleagues(hass, simulator)
    simulator.phones.colleagues.append(
        {"id": 303, "account_id": 1, "internal_number": 305, "description": "Support"}
    )
    # No description: named by the extension; no extension: by the id.
    simulator.phones.colleagues.append({"id": 304, "internal_number": 306})
    simulator.phones.colleagues.append({"id": 305})
    simulator.phones.unregister(DEFAULT_EMAIL, 301)
    del simulator.phones.colleagues[1]  # Sales
    await driver.run_for(NEXT_READ)

    assert states(hass, "sensor.support_phone", "binary_sensor.support_online") == [
        "idle",
        STATE_ON,
    ]
    assert hass.states.get("sensor.306_phone").state == "idle"
    assert hass.states.get("sensor.305_phone").state == "idle"
    assert hass.states.get(RECEPTION_ONLINE).state == STATE_OFF
    assert states(hass, SALES, SALES_ONLINE) == [None, None]
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    names = {device.name for device in devices}
    assert {"Reception", "Support", "306", "305"} <= names
    assert "Sales" not in names

    # Ringing a phone without an extension changes nothing.
    await post(
        client, webhook_path(simulator), notification("ringing", targets=[target("x")])
    )
    assert hass.states.get("sensor.305_phone").state == "idle"


async def test_many_colleagues_disabled(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """With more than 20 colleagues' phone accounts, their entities are added disabled."""
    simulator.phones.add_colleagues(19)
    entry = await setup_colleagues(hass, simulator)

    entities = [
        item
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if "_colleague_" in item.unique_id
    ]
    assert len(entities) == 2 * 21
    assert {item.disabled_by for item in entities} == {
        er.RegistryEntryDisabler.INTEGRATION
    }
    assert hass.states.get(RECEPTION) is None


async def test_list_read_later(
    hass: HomeAssistant, simulator: Simulator, client: TestClient, driver: TimeDriver
) -> None:
    """Colleagues' phones appear once the phone account list could be read."""
    simulator.inject("phone_accounts", Fault.http(500))
    await setup_colleagues(hass, simulator)
    assert hass.states.get(RECEPTION_ONLINE) is None

    await driver.run_for(NEXT_READ)
    assert states(hass, RECEPTION, RECEPTION_ONLINE) == ["idle", STATE_ON]


async def test_simulator_rings_a_colleague(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """The simulator's ``ring --to 200`` rings Reception's phone, which HA follows."""
    await setup_colleagues(hass, simulator)
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            seen.append(new.state)

    async_track_state_change_event(hass, RECEPTION, record)
    args = parse_ring_args(["answered", "--to", "200", "--speed", "0"])
    session = async_get_clientsession(hass)
    async with session.post(
        f"{simulator.url}/simulator/ring",
        json={"script": args.script, "to": args.to, "speed": args.speed},
    ) as response:
        assert response.status == 202
    await simulator.wait_played()
    await hass.async_block_till_done()

    assert seen[-3:] == ["ringing", "in_call", "idle"]
