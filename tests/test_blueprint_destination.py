"""Tests of the blueprint "Ring my mobile when I'm away", run by Home Assistant's machinery."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.reads.destinations import NOT_AVAILABLE
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import Account, Fault, Simulator

from .helpers import advance, checked_blueprint

# This repository's blueprints in the config dir.
pytestmark = pytest.mark.hass_config(blueprints=True)

BLUEPRINT = "ring_mobile_when_away.yaml"

SELECT = "select.demo_user_phone_that_rings"
PERSON = "person.alice"
ZONE = "zone.office"
DESK = "Desk (201)"
MOBILE = "Mobile (+31612345678)"
# A fixed destination without description: its option is the number alone, which a
# template would turn into a number.
BARE = "+31201234567"


@pytest.fixture(autouse=True)
async def utc(hass: HomeAssistant) -> None:
    """Let the quiet hours be UTC, the frozen clock's zone."""
    await hass.config.async_update(time_zone="UTC")


@pytest.fixture(autouse=True)
async def turn_automations_off(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Turn the automations off after each test, so that no time trigger lingers."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def setup_automation(hass: HomeAssistant, **inputs: Any) -> None:
    """Set up one automation made from the blueprint; it must be valid and on."""
    config = {
        "id": "ring",
        "alias": "Ring",
        "use_blueprint": {
            "path": f"clicktodial/{BLUEPRINT}",
            "input": {
                "presence": PERSON,
                "phone_select": SELECT,
                "away_option": MOBILE,
                "home_option": DESK,
                **inputs,
            },
        },
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.get("automation.ring").state == "on"


async def move(hass: HomeAssistant, entity_id: str, state: str) -> None:
    """Change where a person is, or how many are in a zone."""
    hass.states.async_set(entity_id, state)
    await hass.async_block_till_done()


def selections(simulator: Simulator) -> list[Any]:
    """Return the bodies of the choices sent to the platform, in order."""
    return [r.body for r in simulator.requests if r.endpoint == "set_destination"]


DESK_BODY = {"phoneaccount": 101, "fixeddestination": None}
MOBILE_BODY = {"phoneaccount": None, "fixeddestination": 55}
NOBODY_BODY = {"phoneaccount": None, "fixeddestination": None}


# -- the file ----------------------------------------------------------------------------


def test_blueprint_file() -> None:
    """The file is a valid automation blueprint, every input declared, used, described."""
    inputs = checked_blueprint(BLUEPRINT, "Ring my mobile when I'm away").inputs
    assert inputs["phone_select"]["selector"]["entity"]["filter"] == [
        {"integration": "clicktodial", "domain": ["select"]}
    ]
    assert inputs["presence"]["selector"]["entity"]["filter"] == [
        {"domain": ["person", "zone"]}
    ]
    assert inputs["quiet_hours"]["default"] is False


async def test_blueprint_loads_in_home_assistant(hass: HomeAssistant) -> None:
    """Home Assistant finds the blueprint in its blueprint folder and loads it."""
    found = await async_get_blueprints(hass).async_get_blueprints()

    blueprint = found[f"clicktodial/{BLUEPRINT}"]
    assert isinstance(blueprint, Blueprint)
    assert blueprint.domain == "automation"


# -- presence ------------------------------------------------------------------------------


async def test_person_leaves_and_comes_back(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
) -> None:
    """Away: the mobile rings; home again: the desk phone; nothing sent without change."""
    await move(hass, PERSON, "home")
    await setup_automation(hass)

    await move(hass, PERSON, "not_home")
    assert hass.states.get(SELECT).state == MOBILE
    assert account.selected_fixeddestination == 55
    await move(hass, PERSON, "Work")  # another zone is away too: nothing to send
    await move(hass, PERSON, "home")
    assert hass.states.get(SELECT).state == DESK
    assert selections(simulator) == [MOBILE_BODY, DESK_BODY]

    # Only a change of the state counts, not of its attributes.
    hass.states.async_set(PERSON, "home", {"gps_accuracy": 5})
    await hass.async_block_till_done()
    await move(hass, PERSON, "unavailable")
    assert selections(simulator) == [MOBILE_BODY, DESK_BODY]


async def test_zone(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """With a zone, "home" is anybody in it."""
    await move(hass, ZONE, "1")
    await setup_automation(hass, presence=ZONE)

    await move(hass, ZONE, "0")
    assert hass.states.get(SELECT).state == MOBILE
    await move(hass, ZONE, "2")
    assert hass.states.get(SELECT).state == DESK
    await move(hass, ZONE, "1")
    assert selections(simulator) == [MOBILE_BODY, DESK_BODY]


async def test_option_that_looks_like_a_number(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An option that is a bare number is sent as the option, not as a number."""
    account.fixed_destinations.append({"id": 56, "phonenumber": "31201234567"})
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await move(hass, PERSON, "home")
    await setup_automation(hass, away_option=BARE)

    await move(hass, PERSON, "not_home")

    assert hass.states.get(SELECT).state == BARE
    assert selections(simulator) == [{"phoneaccount": None, "fixeddestination": 56}]


async def test_unknown_option(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An option the select does not have sends nothing; the automation logs why."""
    await move(hass, PERSON, "home")
    await setup_automation(hass, away_option="Fax (299)")

    await move(hass, PERSON, "not_home")

    assert hass.states.get(SELECT).state == DESK
    assert selections(simulator) == []
    assert "Fax (299)" in caplog.text


async def test_platform_refuses(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A choice the platform refuses leaves the select as it was; the next one works."""
    await move(hass, PERSON, "home")
    await setup_automation(hass)
    simulator.inject("set_destination", Fault.http(500, {"detail": "boom"}))

    await move(hass, PERSON, "not_home")
    assert hass.states.get(SELECT).state == DESK
    await move(hass, PERSON, "Work")
    assert hass.states.get(SELECT).state == MOBILE


# -- quiet hours -----------------------------------------------------------------------


@pytest.mark.freeze_time("2026-11-26 22:58:00+00:00")
async def test_quiet_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Nobody rings from 23:00 to 07:00, whatever happens; then the phone of the moment."""
    await move(hass, PERSON, "home")
    await setup_automation(hass, quiet_hours=True)

    await advance(hass, freezer, 119, step=1)  # 22:59:59
    assert hass.states.get(SELECT).state == DESK
    await advance(hass, freezer, 2, step=0.5)  # 23:00:01
    assert hass.states.get(SELECT).state == NOT_AVAILABLE

    await move(hass, PERSON, "not_home")  # leaving at night: still nobody
    assert hass.states.get(SELECT).state == NOT_AVAILABLE
    await advance(hass, freezer, 8 * 3600 - 60, step=60)  # 06:59:01
    assert hass.states.get(SELECT).state == NOT_AVAILABLE
    await advance(hass, freezer, 60, step=1)  # 07:00:01
    assert hass.states.get(SELECT).state == MOBILE
    assert selections(simulator) == [NOBODY_BODY, MOBILE_BODY]


@pytest.mark.freeze_time("2026-11-26 11:59:00+00:00")
async def test_quiet_hours_within_a_day(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Quiet hours that do not last over midnight, given as HH:MM."""
    await move(hass, PERSON, "home")
    await setup_automation(
        hass, quiet_hours=True, quiet_start="12:00", quiet_end="13:30"
    )

    await advance(hass, freezer, 61, step=1)
    assert hass.states.get(SELECT).state == NOT_AVAILABLE
    await move(hass, PERSON, "not_home")
    await move(hass, PERSON, "home")
    assert hass.states.get(SELECT).state == NOT_AVAILABLE
    await advance(hass, freezer, 90 * 60, step=60)
    assert hass.states.get(SELECT).state == DESK
    assert selections(simulator) == [NOBODY_BODY, DESK_BODY]


@pytest.mark.freeze_time("2026-11-26 22:58:00+00:00")
async def test_no_quiet_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Without quiet hours, their times change nothing."""
    await move(hass, PERSON, "home")
    await setup_automation(hass)

    await advance(hass, freezer, 9 * 3600, step=60)

    assert hass.states.get(SELECT).state == DESK
    assert selections(simulator) == []
