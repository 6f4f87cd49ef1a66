"""Snapshot tests of the entities of each platform and of the devices."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.clicktodial.const import DOMAIN, SUBENTRY_TYPE_CONTACT
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryDataWithId
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from simulator import Simulator

from .helpers import advance


@pytest.fixture
def entry_with_contact(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the account's config entry with the contact Alice."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        subentries_data=[
            ConfigSubentryDataWithId(
                data={
                    "name": "Alice",
                    "number": "+31508009899",
                    "auto_answer": "platform",
                },
                subentry_id="alice",
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Alice",
                unique_id="+31508009899",
            )
        ],
    )


@pytest.mark.freeze_time("2026-11-26 12:00:00+00:00")
@pytest.mark.parametrize(
    "platform", [Platform.BUTTON, Platform.EVENT, Platform.SENSOR, Platform.TEXT]
)
async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    entry_with_contact: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
    platform: Platform,
    entity_registry_enabled_by_default: None,
) -> None:
    """Every entity of a platform (also those disabled by default), after a call."""
    entry_with_contact.add_to_hass(hass)
    with patch("custom_components.clicktodial.PLATFORMS", [platform]):
        await hass.config_entries.async_setup(entry_with_contact.entry_id)
        await hass.async_block_till_done()
        await hass.services.async_call(
            DOMAIN, "call", {"b_number": "+31508009902"}, blocking=True
        )
        await advance(hass, freezer, 30, step=0.5)
    await snapshot_platform(
        hass, entity_registry, snapshot, entry_with_contact.entry_id
    )


async def test_devices(
    hass: HomeAssistant,
    simulator: Simulator,
    entry_with_contact: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A contact's device, connected via the account's service device."""
    entry_with_contact.add_to_hass(hass)
    await hass.config_entries.async_setup(entry_with_contact.entry_id)
    await hass.async_block_till_done()
    account, contact = dr.async_entries_for_config_entry(
        device_registry, entry_with_contact.entry_id
    )
    assert account.name == "Demo User"
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    assert account.config_subentry_id is None
    assert contact.via_device_id == account.id
    assert contact.config_subentry_id == "alice"
    assert contact == snapshot


async def test_names_follow_language(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A change of Home Assistant's language renames the entities at once, no reload.

    Their entity IDs stay; another change of the configuration renames nothing.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        subentries_data=[
            ConfigSubentryDataWithId(
                data={"name": "Alice", "number": "+31508009899"},
                subentry_id="alice",
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Alice",
                unique_id="+31508009899",
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Entity ID: the friendly name in English, then in Dutch, and the Dutch name alone.
    names = {
        "sensor.demo_user_call_status": (
            "Demo User Call status",
            "Demo User Gespreksstatus",
            "Gespreksstatus",
        ),
        "select.demo_user_phone_that_rings": (
            "Demo User Phone that rings",
            "Demo User Telefoon die overgaat",
            "Telefoon die overgaat",
        ),
        "text.demo_user_number_to_dial": (
            "Demo User Number to dial",
            "Demo User Te bellen nummer",
            "Te bellen nummer",
        ),
        "button.call_alice": ("Alice Call", "Alice Bellen", "Bellen"),
    }
    for entity_id, (english, _, _) in names.items():
        assert hass.states.get(entity_id).attributes["friendly_name"] == english

    await hass.config.async_update(country="NL")
    await hass.async_block_till_done()
    assert (
        hass.states.get("sensor.demo_user_call_status").attributes["friendly_name"]
        == "Demo User Call status"
    )

    await hass.config.async_update(language="nl")
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    for entity_id, (_, dutch, name) in names.items():
        assert hass.states.get(entity_id).attributes["friendly_name"] == dutch
        entity = entity_registry.async_get(entity_id)
        assert entity is not None
        assert entity.original_name == name
