"""Tests of "Phone to ring first" in the options: the user's phones, or a typed number."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import CONF_A_NUMBER, CONF_AUTO_ANSWER
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.selector import SelectSelector
from simulator import Account, Fault, Simulator

from .helpers import set_up


async def open_options(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Open the options of an account and return the form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    return dict(result)


def phone_selector(form: dict[str, Any]) -> SelectSelector:
    """Return the selector of the "Phone to ring first" field of the form."""
    schema = form["data_schema"].schema
    selector = next(value for key, value in schema.items() if key == CONF_A_NUMBER)
    assert isinstance(selector, SelectSelector)
    return selector


async def test_phones_offered(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The phones "Phone that rings" offers are offered (also the mobile); typing is allowed."""
    form = await open_options(hass, init_integration)

    config = phone_selector(form).config
    assert config["options"] == [
        {"value": "201", "label": "Desk (201)"},
        {"value": "202", "label": "Softphone (202)"},
        {"value": "+31612345678", "label": "Mobile (+31612345678)"},
    ]
    assert config["custom_value"] is True
    assert config["mode"] == "dropdown"
    assert list(form["data_schema"].schema) == [
        CONF_A_NUMBER,
        "b_cli",
        "auto_answer",
        "call_notifications",
        "whole_company",
        "show_colleagues",
    ]


@pytest.mark.parametrize(
    ("a_number", "saved"),
    [
        ("202", "202"),
        ("+31612345678", "+31612345678"),
        ("050-800 90 01", "0508009001"),
        ("", None),
    ],
    ids=["picked", "mobile", "typed", "empty"],
)
async def test_pick_or_type(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    a_number: str,
    saved: str | None,
) -> None:
    """A picked phone and a typed number are both saved, cleaned; empty is left out."""
    form = await open_options(hass, init_integration)

    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_A_NUMBER: a_number, CONF_AUTO_ANSWER: "platform"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options.get(CONF_A_NUMBER) == saved


async def test_typed_number_checked(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A typed value that is no number is refused, then a phone can be picked."""
    form = await open_options(hass, init_integration)

    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_A_NUMBER: "my desk", CONF_AUTO_ANSWER: "platform"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_A_NUMBER: "invalid_number"}
    assert phone_selector(dict(result)).config["options"][0]["value"] == "201"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_A_NUMBER: "201", CONF_AUTO_ANSWER: "platform"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_A_NUMBER] == "201"


async def test_phones_as_last_read(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The phones come from the last read, without asking the platform; no number: left out."""
    account.phone_accounts[1]["internal_number"] = None
    account.phone_accounts[0]["description"] = ""
    account.fixed_destinations[0]["phonenumber"] = None
    await set_up(hass, mock_config_entry)
    reads = simulator.count("get_destinations")

    form = await open_options(hass, mock_config_entry)

    assert phone_selector(form).config["options"] == [{"value": "201", "label": "201"}]
    assert simulator.count("get_destinations") == reads


@pytest.mark.parametrize(
    "fault",
    [Fault.http(404, {"detail": "Not found."}), Fault.http(500, {"detail": "boom"})],
    ids=["no_such_feature", "not_read_yet"],
)
async def test_no_phones_known(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    fault: Fault,
) -> None:
    """Without known phones the field takes a typed number only."""
    simulator.inject("get_destinations", fault)
    await set_up(hass, mock_config_entry)

    form = await open_options(hass, mock_config_entry)

    assert phone_selector(form).config["options"] == []
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_A_NUMBER: "203", CONF_AUTO_ANSWER: "platform"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[CONF_A_NUMBER] == "203"


async def test_account_not_loaded(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An account that is not loaded still has its options, with a typed number."""
    simulator.inject("profile", Fault.http(500, {"detail": "boom"}), times=3)
    await set_up(hass, mock_config_entry)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    form = await open_options(hass, mock_config_entry)

    assert phone_selector(form).config["options"] == []
