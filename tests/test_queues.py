"""Tests of the call queues: a sensor per queue of the company, disabled by default.

The queues are read once at set-up to find them, then every 30 s while at least one
queue sensor is enabled, and never otherwise; failures follow the rules of every polled
read; the account's rate limit is shared; an account without queues gets no sensors.
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_FRIENDLY_NAME,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from simulator import Fault, Simulator

from .conftest import ACCOUNT_UUID
from .helpers import set_up, state
from .timing import TimeDriver

SALES = "sensor.demo_user_sales_queue"
SUPPORT = "sensor.demo_user_support_queue"
FROZEN = "2026-11-26 12:00:00+00:00"


def queue_sensors(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, bool]:
    """Return the account's queue sensors in the entity registry, and whether enabled."""
    return {
        item.entity_id: not item.disabled
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if item.domain == Platform.SENSOR and "_queue_" in item.unique_id
    }


def reads(simulator: Simulator) -> int:
    """Return how many times the queues were read."""
    return simulator.count("queues")


# -- disabled by default: no reads -------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_disabled_by_default_and_not_read(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    driver: TimeDriver,
) -> None:
    """A sensor per queue, disabled; after the read at set-up nothing more is asked."""
    await set_up(hass, mock_config_entry)

    assert queue_sensors(hass, mock_config_entry) == {SALES: False, SUPPORT: False}
    entity = entity_registry.async_get(SALES)
    assert entity is not None
    assert entity.unique_id == f"{ACCOUNT_UUID}_queue_11"
    assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert entity.translation_key == "queue"
    assert hass.states.get(SALES) is None
    simulator.queues.add("sales", 2)

    await driver.run_for(3 * 3600)

    assert reads(simulator) == 1


@pytest.mark.freeze_time(FROZEN)
async def test_enabled_reads_every_30_seconds(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    driver: TimeDriver,
) -> None:
    """Enabling a sensor (the entry reloads) starts the reads; disabling stops them."""
    await set_up(hass, mock_config_entry)
    entity_registry.async_update_entity(SALES, disabled_by=None)
    # Home Assistant reloads the account 30 s after an entity is enabled.
    await driver.run_for(31)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert state(hass, SALES) == "0"
    assert reads(simulator) == 2
    simulator.queues.add("sales", 3)

    await driver.run_for(29)
    assert state(hass, SALES) == "0"
    await driver.run_for(2)
    assert state(hass, SALES) == "3"
    await driver.run_for(300)
    assert reads(simulator) == 2 + 11

    entity_registry.async_update_entity(
        SALES, disabled_by=er.RegistryEntryDisabler.USER
    )
    await driver.run_for(31)
    before = reads(simulator)
    await driver.run_for(3600)
    assert reads(simulator) == before


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_sensor(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Sales queue: 3 waiting, a measurement, with the queue's internal number."""
    simulator.queues.add("sales", 3)

    await set_up(hass, mock_config_entry)

    sales = hass.states.get(SALES)
    assert sales is not None
    assert sales.state == "3"
    assert sales.attributes[ATTR_FRIENDLY_NAME] == "Demo User Sales queue"
    assert sales.attributes[ATTR_UNIT_OF_MEASUREMENT] == "waiting"
    assert sales.attributes[ATTR_STATE_CLASS] == SensorStateClass.MEASUREMENT
    assert sales.attributes["internal_number"] == "801"
    assert state(hass, SUPPORT) == "0"
    simulator.queues.set("sales", 0)
    simulator.queues.add("support", 1)
    await driver.run_for(31)
    assert (state(hass, SALES), state(hass, SUPPORT)) == ("0", "1")


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_dutch(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The name follows Home Assistant's language (units are always in English)."""
    hass.config.language = "nl"

    await set_up(hass, mock_config_entry)

    entity_id = entity_registry.async_get_entity_id(
        Platform.SENSOR, "clicktodial", f"{ACCOUNT_UUID}_queue_11"
    )
    assert entity_id == "sensor.demo_user_wachtrij_sales"
    sales = hass.states.get(entity_id)
    assert sales is not None
    assert sales.attributes[ATTR_FRIENDLY_NAME] == "Demo User Wachtrij Sales"
    assert sales.attributes[ATTR_UNIT_OF_MEASUREMENT] == "waiting"


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_queues_come_go_and_are_renamed(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A new queue gets a sensor, one gone loses it, a renamed one keeps its entity ID."""
    await set_up(hass, mock_config_entry)
    sales, support = simulator.queues.queues
    sales["description"] = "Sales team"
    simulator.queues.queues = [
        sales,
        {"id": 13, "description": None, "internal_number": 803, "waiting": 2},
    ]

    await driver.run_for(31)

    night = "sensor.demo_user_803_queue"
    assert queue_sensors(hass, mock_config_entry) == {SALES: True, night: True}
    assert hass.states.get(SUPPORT) is None
    assert state(hass, night) == "2"
    assert hass.states.get(SALES).attributes[ATTR_FRIENDLY_NAME] == (
        "Demo User Sales team queue"
    )
    assert support["description"] == "Support"


@pytest.mark.freeze_time(FROZEN)
async def test_stale_sensors_go_at_setup(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A queue removed while Home Assistant was off loses its (disabled) sensor."""
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    simulator.queues.queues = simulator.queues.queues[:1]

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert queue_sensors(hass, mock_config_entry) == {SALES: False}


@pytest.mark.freeze_time(FROZEN)
async def test_list_cut_short_removes_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A list longer than 5 pages is read in part: no sensor of an unread queue goes."""
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    many = [
        {"id": 1000 + n, "description": f"Team {n}", "internal_number": n, "waiting": 0}
        for n in range(500)
    ]
    # The demo queues come last: past the pages read.
    simulator.queues.queues = [*many, *simulator.queues.queues]

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    sensors = queue_sensors(hass, mock_config_entry)
    assert reads(simulator) == 1 + 5
    assert len(sensors) == 502
    assert SALES in sensors
    assert SUPPORT in sensors


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_size_not_a_number(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A queue size that is no number is unknown; the sensor stays available."""
    simulator.inject(
        "queues",
        Fault.http(
            200,
            {
                "meta": {"next": None},
                "objects": [
                    {"id": 11, "description": "Sales", "queue_size": "?"},
                    {"id": 12, "description": "Support", "queue_size": "1"},
                ],
            },
        ),
    )

    await set_up(hass, mock_config_entry)

    assert state(hass, SALES) == STATE_UNKNOWN
    assert hass.states.get(SALES).attributes["internal_number"] is None
    assert state(hass, SUPPORT) == "1"


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404])
@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_account_without_queues(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
    status: int,
) -> None:
    """A first read refused (403) or missing (404): no sensors, never asked again.

    Sensors made before (another set-up) are removed; the rest works.
    """
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    simulator.inject("queues", Fault.http(status))

    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await driver.run_for(3600)

    assert reads(simulator) == 2
    assert hass.states.get(SALES) is None
    assert state(hass, "select.demo_user_phone_that_rings") == "Desk (201)"


@pytest.mark.freeze_time(FROZEN)
async def test_first_read_failed_is_tried_until_found(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A set-up read that failed is tried every 30 s until the queues are found, then not."""
    simulator.inject("queues", Fault.http(500), times=2)

    await set_up(hass, mock_config_entry)
    assert queue_sensors(hass, mock_config_entry) == {}
    await driver.run_for(31)
    assert queue_sensors(hass, mock_config_entry) == {}
    await driver.run_for(30)

    assert queue_sensors(hass, mock_config_entry) == {SALES: False, SUPPORT: False}
    assert reads(simulator) == 3
    await driver.run_for(3600)
    assert reads(simulator) == 3


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_failures_keep_the_count_for_5_minutes(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Failed reads are retried every 30 s; after 5 minutes of them, unavailable."""
    simulator.queues.add("sales", 2)
    await set_up(hass, mock_config_entry)
    simulator.inject("queues", Fault.http(500), times=5)
    simulator.inject("queues", Fault.malformed(), times=100)

    await driver.run_for(31 + 270)
    assert state(hass, SALES) == "2"
    assert reads(simulator) == 1 + 10
    await driver.run_for(31)
    assert state(hass, SALES) == STATE_UNAVAILABLE

    simulator.clear_faults()
    simulator.queues.add("sales", 1)
    await driver.run_for(31)
    assert state(hass, SALES) == "3"


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_rate_limit_is_shared(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A 429 to a queue read pauses every read of the account, and the other way round."""
    await set_up(hass, mock_config_entry)
    simulator.inject("queues", Fault.rate_limited("600"))

    await driver.run_for(301)
    # Which phone rings waits too (due at 5 minutes).
    assert simulator.count("get_destinations") == 1
    assert reads(simulator) == 2
    await driver.run_for(340)
    assert simulator.count("get_destinations") == 2
    assert reads(simulator) == 3

    before = reads(simulator)
    simulator.inject("get_destinations", Fault.rate_limited("120"))
    await driver.run_for(300)
    limited_at = next(
        r.at for r in reversed(simulator.requests) if r.endpoint == "get_destinations"
    )
    during = [
        r
        for r in simulator.requests
        if r.endpoint == "queues" and limited_at < r.at < limited_at + 119
    ]
    assert during == []
    assert reads(simulator) > before
