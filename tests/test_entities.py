"""Snapshot tests of the entities of each platform."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.clicktodial.const import DOMAIN
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from simulator import Simulator

from .helpers import advance


@pytest.mark.freeze_time("2026-11-26 12:00:00+00:00")
@pytest.mark.parametrize(
    "platform", [Platform.BUTTON, Platform.EVENT, Platform.SENSOR, Platform.TEXT]
)
async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
    platform: Platform,
) -> None:
    """Every entity of a platform, after a call went from start to end."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.clicktodial.PLATFORMS", [platform]):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        await hass.services.async_call(
            DOMAIN, "call", {"b_number": "+31508009902"}, blocking=True
        )
        await advance(hass, freezer, 30, step=0.5)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)
