"""Tests of the diagnostics of a Click to dial account."""

from __future__ import annotations

import json

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.clicktodial.const import DOMAIN
from custom_components.clicktodial.services import SERVICE_CALL
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Simulator

NUMBER = "+31508009899"
A_NUMBER = "0508009001"
B_CLI = "+31508009002"
OPTIONS = {"a_number": A_NUMBER, "b_cli": B_CLI, "auto_answer": "on"}


@pytest.fixture
def mock_config_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the simulator's account with call defaults in its options."""
    return MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options=OPTIONS,
    )


@pytest.mark.usefixtures("freezer")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Test the diagnostics of an account after a call, without secrets or numbers."""
    # Time stands still (freezer), so no status poll changes the call.
    started = dt_util.utcnow().isoformat()
    await hass.services.async_call(
        DOMAIN, SERVICE_CALL, {"b_number": NUMBER}, blocking=True
    )
    assert simulator.requests[-1].body == {
        "b_number": NUMBER,
        "a_number": A_NUMBER,
        "b_cli": B_CLI,
        "auto_answer": True,
    }

    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)

    # The call history's counts depend on the time of day: tests/test_history.py has them.
    assert result == snapshot(
        exclude=props("started", "status_changed", "url", "call_history")
    )
    assert result["entry"]["data"]["url"] == simulator.url
    assert result["latest_call"]["call_id"] == "00010001c0ffee"
    assert result["latest_call"]["started"] == started
    assert result["latest_call"]["status_changed"] == started
    assert result["tracked_calls"] == [result["latest_call"]]
    dump = json.dumps(result)
    for secret in (DEFAULT_TOKEN, DEFAULT_EMAIL, "Demo", "User"):
        assert secret not in dump
    # Not the numbers in any spelling: their last nine digits appear nowhere.
    for number in (NUMBER, A_NUMBER, B_CLI):
        assert number[-9:] not in dump
    assert "**REDACTED**" in dump


async def test_diagnostics_before_any_call(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """Test the diagnostics of an account that has not called yet."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)

    assert result["latest_call"] is None
    assert result["tracked_calls"] == []
    assert result["last_update_success"] is True
    assert result["entry"]["title"] == "**REDACTED**"
    assert result["entry"]["options"] == {
        "a_number": "**REDACTED**",
        "b_cli": "**REDACTED**",
        "auto_answer": "on",
    }
    assert result["profile"]["id"] == "1"
    assert result["profile"]["email"] == "**REDACTED**"
    dump = json.dumps(result)
    for secret in (DEFAULT_TOKEN, DEFAULT_EMAIL, "Demo", "User"):
        assert secret not in dump
