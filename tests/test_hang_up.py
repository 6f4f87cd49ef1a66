"""Tests of stopping a call: the clicktodial.hang_up action and the "Stop call" button.

The platform is asked to cancel the call (``DELETE /api/clicktodial/{callid}/``). Whether
it can is not confirmed: a refusal (404, 405, 400, 403) is a clear, translated error and
the call goes on as it was, still followed.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from simulator import DEFAULT_EMAIL, SCENARIOS, Fault, Simulator

from .conftest import SECOND_EMAIL
from .helpers import reauth_flows, start_call, state
from .timing import TimeDriver

SENSOR = "sensor.demo_user_call_status"
BUTTON = "button.demo_user_stop_call"
FROZEN = "2026-11-26 12:00:00+00:00"


async def hang_up(hass: HomeAssistant, **data: Any) -> None:
    """Run the clicktodial.hang_up action and wait for it."""
    await hass.services.async_call(DOMAIN, "hang_up", data, blocking=True)


def deletes(simulator: Simulator) -> list[tuple[str | None, str]]:
    """Return who asked to stop which call, in order."""
    return [(r.email, r.path) for r in simulator.requests if r.endpoint == "hang_up"]


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("init_integration")
async def test_stop_the_latest_call(
    hass: HomeAssistant, simulator: Simulator, driver: TimeDriver
) -> None:
    """Without a call ID the account's latest call stops; its end shows at once."""
    call_id = await start_call(hass)
    await driver.run_for(3)
    assert state(hass, SENSOR) == "dialing_a"

    await hang_up(hass)
    await driver.run_for(0.1)

    assert deletes(simulator) == [(DEFAULT_EMAIL, f"/api/clicktodial/{call_id}/")]
    assert state(hass, SENSOR) == "disconnected"
    assert hass.states.get(SENSOR).attributes["tracking"] is False
    # Nothing more is asked about it.
    reads = simulator.count("get_call")
    await driver.run_for(60)
    assert simulator.count("get_call") == reads


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("init_integration")
async def test_stop_call_button(
    hass: HomeAssistant, simulator: Simulator, driver: TimeDriver
) -> None:
    """The dashboard's "Stop call" stops the latest call."""
    call_id = await start_call(hass)
    await driver.run_for(1)

    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: BUTTON}, blocking=True
    )
    await driver.run_for(0.1)

    assert [path for _, path in deletes(simulator)] == [f"/api/clicktodial/{call_id}/"]
    assert state(hass, SENSOR) == "disconnected"
    assert hass.states.get(BUTTON).attributes["friendly_name"] == "Demo User Stop call"


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("init_integration")
async def test_stop_a_call_by_id(
    hass: HomeAssistant, simulator: Simulator, driver: TimeDriver
) -> None:
    """With a call ID, that call stops; the other goes on."""
    first = await start_call(hass)
    second = await start_call(hass, "+31508009898")
    await driver.run_for(3)

    await hang_up(hass, call_id=f" {first} ")
    await driver.run_for(0.1)

    assert [path for _, path in deletes(simulator)] == [f"/api/clicktodial/{first}/"]
    assert simulator.status_of(first) == "disconnected"
    assert simulator.status_of(second) == "dialing_a"
    followed = hass.config_entries.async_loaded_entries(DOMAIN)[0]
    tracked = {call.call_id for call in followed.runtime_data.coordinator.tracked_calls}
    assert tracked == {second}


@pytest.mark.parametrize(
    ("refusal", "key", "placeholders"),
    [
        (404, "hang_up_refused", None),
        (405, "hang_up_refused", None),
        (403, "hang_up_refused", None),
        (400, "hang_up_rejected", {"message": "This call cannot be stopped."}),
    ],
)
@pytest.mark.freeze_time(FROZEN)
async def test_platform_cannot_stop_it(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    driver: TimeDriver,
    refusal: int,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """A refusal says the platform cannot stop the call; nothing changes."""
    if refusal == 403:
        simulator.inject("hang_up", Fault.http(403))
    else:
        simulator.hang_up_refusal = refusal
    call_id = await start_call(hass)
    await driver.run_for(3)

    with pytest.raises(HomeAssistantError) as err:
        await hang_up(hass)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert err.value.translation_placeholders == placeholders
    assert str(err.value).startswith("The platform cannot stop this call")
    # No new token is asked for; the call goes on, followed as before.
    assert reauth_flows(hass, init_integration) == []
    await driver.run_for(8)
    assert state(hass, SENSOR) == "connected"
    assert hass.states.get(SENSOR).attributes["call_id"] == call_id
    assert hass.states.get(SENSOR).attributes["tracking"] is True


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("init_integration")
async def test_nothing_to_stop(
    hass: HomeAssistant, simulator: Simulator, driver: TimeDriver
) -> None:
    """Without a call, or once the latest ended, there is nothing to stop: nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await hang_up(hass)
    assert err.value.translation_key == "no_call_to_stop"

    simulator.script_next_call(SCENARIOS["blacklisted"])
    await start_call(hass)
    await driver.run_for(3)
    assert state(hass, SENSOR) == "blacklisted"
    with pytest.raises(ServiceValidationError) as err:
        await hang_up(hass)
    assert err.value.translation_key == "no_call_to_stop"

    with pytest.raises(ServiceValidationError) as err:
        await hang_up(hass, call_id="  ")
    assert err.value.translation_key == "call_id_empty"
    assert deletes(simulator) == []


@pytest.mark.usefixtures("init_integration")
async def test_unknown_call_id_is_asked_for(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A call ID not followed here is still sent: the platform knows no such call."""
    with pytest.raises(HomeAssistantError) as err:
        await hang_up(hass, call_id="elsewhere")

    assert err.value.translation_key == "hang_up_refused"
    assert [path for _, path in deletes(simulator)] == ["/api/clicktodial/elsewhere/"]


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        (Fault.http(401), "call_auth_failed"),
        (Fault.rate_limited("42"), "rate_limited"),
        (Fault.http(502), "cannot_connect"),
    ],
    ids=["token_refused", "rate_limited", "server_error"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_platform_faults(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    driver: TimeDriver,
    fault: Fault,
    key: str,
) -> None:
    """Faults are translated errors; a refused token asks for a new one."""
    await start_call(hass)
    await driver.run_for(1)
    simulator.inject("hang_up", fault)

    with pytest.raises(HomeAssistantError) as err:
        await hang_up(hass)

    assert err.value.translation_key == key
    assert bool(reauth_flows(hass, init_integration)) == (key == "call_auth_failed")


@pytest.mark.freeze_time(FROZEN)
@pytest.mark.usefixtures("init_integration")
async def test_sent_while_rate_limited(
    hass: HomeAssistant, simulator: Simulator, driver: TimeDriver
) -> None:
    """While the account waits for a 429's pause, a stop a person asks for is still sent."""
    call_id = await start_call(hass)
    simulator.inject("get_call", Fault.rate_limited("600"))
    await driver.run_for(1)

    await hang_up(hass)

    assert simulator.status_of(call_id) == "disconnected"


@pytest.mark.usefixtures("init_second_integration")
async def test_which_account(
    hass: HomeAssistant, simulator: Simulator, second_entry: MockConfigEntry
) -> None:
    """A call ID names its account; without one, the account must be given."""
    call_id = await start_call(hass, config_entry_id=second_entry.entry_id)

    await hang_up(hass, call_id=call_id)
    assert deletes(simulator)[-1] == (SECOND_EMAIL, f"/api/clicktodial/{call_id}/")

    with pytest.raises(ServiceValidationError) as err:
        await hang_up(hass)
    assert err.value.translation_key == "entry_required"

    other = await start_call(hass, config_entry_id=second_entry.entry_id)
    await hang_up(hass, config_entry_id=second_entry.entry_id)
    assert deletes(simulator)[-1] == (SECOND_EMAIL, f"/api/clicktodial/{other}/")
