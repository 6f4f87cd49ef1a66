"""Tests of the caller-ID numbers: offered in the options, the contact form, the action and a select.

The numbers the account may show are read at set-up and every hour; where they cannot be
read, caller ID stays a number to type (``default_number`` included) and there is no
select.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    DOMAIN,
    SUBENTRY_TYPE_CONTACT,
)
from homeassistant.components.select import ATTR_OPTIONS
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_FRIENDLY_NAME,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, service
from homeassistant.helpers.selector import SelectSelector, TextSelector, selector
from homeassistant.util.yaml import load_yaml_dict
from simulator import Account, Fault, Simulator

from .helpers import reauth_flows, set_up, start_call, state
from .timing import TimeDriver

SELECT = "select.demo_user_caller_id"
MAIN = "Main number (+31508009000)"
SALES = "Sales (+31508009010)"
FROZEN = "2026-11-26 12:00:00+00:00"
LISTED = [
    {"value": "default_number", "label": "default_number"},
    {"value": "+31508009000", "label": MAIN},
    {"value": "+31508009010", "label": SALES},
]


async def choose(hass: HomeAssistant, option: str) -> None:
    """Choose a caller ID on the select, as a dashboard does."""
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: SELECT, "option": option},
        blocking=True,
    )


def b_cli_field(result: dict[str, Any]) -> Any:
    """Return the selector of a form's caller ID field."""
    return next(
        value
        for key, value in result["data_schema"].schema.items()
        if key == CONF_B_CLI
    )


async def open_options(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Open the options of an account and return the form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    return dict(result)


SERVICES_YAML = (
    Path(__file__).parent.parent / "custom_components" / DOMAIN / "services.yaml"
)


async def open_contact_form(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, Any]:
    """Open the "Add contact" form of an account."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_CONTACT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result)


async def action_b_cli(hass: HomeAssistant) -> dict[str, Any]:
    """Return the selector of the call action's caller ID field, as the frontend gets it.

    Home Assistant's ``get_services`` answers with the description the integration set,
    else with services.yaml's. It is read here without describing every other action
    too: that would import every base component (camera, assist_pipeline, …), whose
    requirements the tests do not install.
    """
    await hass.async_block_till_done()
    description = service.async_get_cached_service_description(
        hass, DOMAIN, "call"
    ) or load_yaml_dict(str(SERVICES_YAML)).get("call")
    assert description is not None
    field: dict[str, Any] = description["fields"][CONF_B_CLI]
    return field["selector"]


# -- the select --------------------------------------------------------------------------


async def test_select(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The platform's setting, the default number, then the account's numbers."""
    current = hass.states.get(SELECT)

    assert current is not None
    assert current.state == "platform"
    assert current.attributes[ATTR_OPTIONS] == [
        "platform",
        "default_number",
        MAIN,
        SALES,
    ]
    assert current.attributes[ATTR_FRIENDLY_NAME] == "Demo User Caller ID"
    entity = entity_registry.async_get(SELECT)
    assert entity is not None
    assert entity.entity_category is EntityCategory.CONFIG
    assert entity.translation_key == "caller_id"
    assert simulator.count("caller_ids") == 1


async def test_choice_is_sent_with_every_call(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A chosen number becomes the account's caller ID at once, without a reload."""
    await choose(hass, SALES)
    assert state(hass, SELECT) == SALES
    assert init_integration.options[CONF_B_CLI] == "+31508009010"
    await start_call(hass)
    assert simulator.requests[-1].body["b_cli"] == "+31508009010"

    await choose(hass, "default_number")
    await start_call(hass)
    assert simulator.requests[-1].body["b_cli"] == "default_number"
    assert state(hass, SELECT) == "default_number"

    await choose(hass, "platform")
    await start_call(hass)
    assert "b_cli" not in simulator.requests[-1].body
    assert CONF_B_CLI not in init_integration.options
    # Nothing was read again: no reload.
    assert simulator.count("profile") == 1


async def test_options_form_offers_the_numbers(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The options' caller ID lists default_number and the numbers; typing stays possible."""
    form = await open_options(hass, init_integration)

    field = b_cli_field(form)
    assert isinstance(field, SelectSelector)
    assert field.config["options"] == LISTED
    assert field.config["custom_value"] is True
    assert field.config["translation_key"] == CONF_B_CLI

    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_B_CLI: "+31508009000", CONF_AUTO_ANSWER: "platform"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # The select follows the options.
    assert state(hass, SELECT) == MAIN

    form = await open_options(hass, init_integration)
    await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_B_CLI: "050 800 9099", CONF_AUTO_ANSWER: "platform"}
    )
    await hass.async_block_till_done()
    # A typed number not listed is shown as it is, among the options.
    assert state(hass, SELECT) == "0508009099"
    assert hass.states.get(SELECT).attributes[ATTR_OPTIONS][-1] == "0508009099"
    await choose(hass, "0508009099")
    assert init_integration.options[CONF_B_CLI] == "0508009099"


async def test_contact_form_offers_the_numbers(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The contact form lists them too; the contact's caller ID is sent for it."""
    form = await open_contact_form(hass, init_integration)
    field = b_cli_field(form)
    assert isinstance(field, SelectSelector)
    assert field.config["options"] == LISTED

    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"],
        {
            "name": "Alice",
            "number": "+31508009899",
            CONF_B_CLI: "+31508009010",
            CONF_AUTO_ANSWER: "platform",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.services.async_call(DOMAIN, "call", {"contact": "Alice"}, blocking=True)
    assert simulator.requests[-1].body["b_cli"] == "+31508009010"


async def test_action_field_offers_the_numbers(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    account: Account,
) -> None:
    """The call action's caller ID lists the numbers of every account; typing stays."""
    simulator.accounts[second_entry.data["email"]].caller_ids = [
        {"number": "+31201234500", "description": "Amsterdam"},
        {"number": "+31508009000", "description": "Main number"},
    ]
    second_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    field = await action_b_cli(hass)
    assert field["select"]["options"] == [
        *LISTED,
        {"value": "+31201234500", "label": "Amsterdam (+31201234500)"},
    ]
    assert field["select"]["custom_value"] is True

    # Without the accounts, a number to type, as services.yaml has it.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert await hass.config_entries.async_unload(second_entry.entry_id)
    await hass.async_block_till_done()
    assert isinstance(selector(await action_b_cli(hass)), TextSelector)


# -- where the numbers cannot be read ----------------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_numbers_not_readable(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    status: int,
) -> None:
    """No select; caller ID stays a number to type everywhere; a 401 asks no new token.

    Their path takes the token as a Bearer: its refusal is not the token's.
    """
    simulator.inject("caller_ids", Fault.http(status))

    await set_up(hass, mock_config_entry)

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert reauth_flows(hass, mock_config_entry) == []
    assert hass.states.get(SELECT) is None
    assert isinstance(
        b_cli_field(await open_options(hass, mock_config_entry)), TextSelector
    )
    form = await open_contact_form(hass, mock_config_entry)
    assert isinstance(b_cli_field(form), TextSelector)
    assert isinstance(selector(await action_b_cli(hass)), TextSelector)
    # default_number and typed numbers go on working.
    await start_call(hass, b_cli="default_number")
    assert simulator.requests[-1].body["b_cli"] == "default_number"


async def test_account_without_company_uuid(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A profile without client_uuid: the numbers are not asked for."""
    simulator.inject(
        "profile",
        Fault.http(
            200,
            {
                "id": 1,
                "uuid": "00000000-0000-4000-8000-000000000001",
                "client": "/api/apprelation/client/1/",
            },
        ),
    )

    await set_up(hass, mock_config_entry)

    assert simulator.count("caller_ids") == 0
    assert hass.states.get(SELECT) is None


# -- reads -------------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_read_every_hour(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Numbers the account gains or loses show at the next hourly read."""
    await set_up(hass, mock_config_entry)
    account.caller_ids = [
        {"number": "+31508009020", "description": "Support"},
        {"number": "+31508009030", "description": None},
    ]

    await driver.run_for(3599)
    assert SALES in hass.states.get(SELECT).attributes[ATTR_OPTIONS]
    await driver.run_for(2)

    assert hass.states.get(SELECT).attributes[ATTR_OPTIONS] == [
        "platform",
        "default_number",
        "Support (+31508009020)",
        "+31508009030",
    ]
    assert simulator.count("caller_ids") == 2


@pytest.mark.freeze_time(FROZEN)
async def test_failures_keep_the_numbers_for_6_hours(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Failed reads keep the options (the forms still offer them); after 6 h, unavailable."""
    await set_up(hass, mock_config_entry)
    simulator.inject("caller_ids", Fault.http(500), times=100)

    # Failing from the read at an hour: unavailable 6 hours later.
    await driver.run_for(3600 + 6 * 3600 - 120)
    assert state(hass, SELECT) == "platform"
    await driver.run_for(240)
    assert state(hass, SELECT) == STATE_UNAVAILABLE
    form = await open_options(hass, mock_config_entry)
    assert b_cli_field(form).config["options"] == LISTED

    simulator.clear_faults()
    await driver.run_for(3601)
    assert state(hass, SELECT) == "platform"


@pytest.mark.freeze_time(FROZEN)
async def test_first_read_failed(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A set-up read that failed: the select is unavailable, the forms ask to type, until a read works."""
    simulator.inject("caller_ids", Fault.http(503))

    await set_up(hass, mock_config_entry)

    assert state(hass, SELECT) == STATE_UNAVAILABLE
    assert isinstance(
        b_cli_field(await open_options(hass, mock_config_entry)), TextSelector
    )
    await driver.run_for(301)
    assert state(hass, SELECT) == "platform"
    form = await open_options(hass, mock_config_entry)
    assert b_cli_field(form).config["options"] == LISTED
