"""Contacts for the tests of calling contacts by name (action, intent, tool, blueprint)."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN, SUBENTRY_TYPE_CONTACT
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant

ALICE = {"name": "Alice", "number": "+31508009899", "auto_answer": "platform"}
BOB = {"name": "Bob", "number": "202", "auto_answer": "platform"}

TRANSLATIONS = (
    Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
)


def exception_message(language: str, key: str, **placeholders: str) -> str:
    """Return an exception's message as the translations of a language have it."""
    strings = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))
    return str(strings["exceptions"][key]["message"]).format(**placeholders)


def with_contacts(entry: MockConfigEntry, *contacts: dict[str, str]) -> MockConfigEntry:
    """Return a copy of an account's config entry that has these contacts."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        subentries_data=[
            ConfigSubentryData(
                data=contact,
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title=contact["name"],
                unique_id=contact["number"],
            )
            for contact in contacts
        ],
    )


async def set_up(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    """Add and set up accounts."""
    for entry in entries:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
