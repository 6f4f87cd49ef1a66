"""Tests of calling a contact by name with the clicktodial.call action."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from simulator import DEFAULT_EMAIL, Simulator

from .conftest import SECOND_EMAIL
from .contact_helpers import ALICE, BOB, set_up, with_contacts
from .helpers import advance

# The clock stands still, so no status poll runs between a call and its checks.
pytestmark = pytest.mark.freeze_time


async def async_call(hass: HomeAssistant, data: dict[str, Any]) -> ServiceResponse:
    """Run the clicktodial.call action and return its response."""
    return await hass.services.async_call(
        DOMAIN, "call", data, blocking=True, return_response=True
    )


@pytest.fixture
async def alice(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Set up one account with the contacts Alice and Bob."""
    await set_up(hass, with_contacts(mock_config_entry, ALICE, BOB))


@pytest.mark.usefixtures("alice")
@pytest.mark.parametrize("name", ["Alice", "alice", "ALICE", "  Alice ", "\taLiCe\n"])
async def test_call_contact_by_name(
    hass: HomeAssistant, simulator: Simulator, name: str
) -> None:
    """A contact is found by name regardless of case and surrounding spaces."""
    response = await async_call(hass, {"contact": name})

    assert response == {
        "call_id": "00010001c0ffee",
        "status": "setting_up",
        "contact": "Alice",
    }
    assert simulator.count("start_call") == 1
    assert simulator.requests[-1].body == {"b_number": "+31508009899"}
    [entry] = hass.config_entries.async_entries(DOMAIN)
    latest = entry.runtime_data.coordinator.data.latest
    assert latest is not None
    assert latest.contact == "Alice"


@pytest.mark.usefixtures("alice")
async def test_call_contact_without_response(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A contact is called when no response is asked for."""
    assert (
        await hass.services.async_call(
            DOMAIN, "call", {"contact": "bob"}, blocking=True
        )
        is None
    )
    assert simulator.requests[-1].body == {"b_number": "202"}


@pytest.mark.parametrize(
    ("contact", "options", "fields", "sent"),
    [
        (
            {"a_number": "202", "b_cli": "default_number", "auto_answer": "on"},
            {},
            {},
            {"a_number": "202", "b_cli": "default_number", "auto_answer": True},
        ),
        (
            {"auto_answer": "platform"},
            {"a_number": "203", "auto_answer": "off"},
            {},
            {"a_number": "203", "auto_answer": False},
        ),
        (
            {"a_number": "204", "auto_answer": "off"},
            {"a_number": "203", "auto_answer": "on"},
            {},
            {"a_number": "204", "auto_answer": False},
        ),
        (
            {"a_number": "204", "b_cli": "default_number", "auto_answer": "off"},
            {"a_number": "203", "auto_answer": "on"},
            {"a_number": "205", "auto_answer": True},
            {"a_number": "205", "b_cli": "default_number", "auto_answer": True},
        ),
    ],
    ids=["contact_settings", "account_defaults", "contact_wins", "fields_win"],
)
async def test_contact_settings_apply(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    contact: dict[str, str],
    options: dict[str, str],
    fields: dict[str, Any],
    sent: dict[str, Any],
) -> None:
    """The contact's own settings apply as when its button is pressed."""
    entry = with_contacts(mock_config_entry, {**ALICE, **contact})
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    await async_call(hass, {"contact": "alice", **fields})
    by_action = simulator.requests[-1].body
    # Not while the first call goes on.
    await advance(hass, freezer, 45, step=1)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.call_alice"}, blocking=True
    )
    by_button = simulator.requests[-1].body

    assert by_action == {"b_number": "+31508009899", **sent}
    if not fields:
        assert by_button == by_action


@pytest.mark.usefixtures("alice")
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"a_number": "202"},
        {"b_number": "+31508009899", "contact": "Alice"},
        {"b_number": "+31508009899", "contact": "Nobody"},
    ],
    ids=["neither", "neither_with_other_fields", "both", "both_unknown_contact"],
)
async def test_number_or_contact(
    hass: HomeAssistant, simulator: Simulator, data: dict[str, Any]
) -> None:
    """Exactly one of b_number and contact is needed; otherwise nothing is sent."""
    with pytest.raises(
        ServiceValidationError,
        match=r"^Give exactly one of a number \(b_number\), a contact's name \(contact\) "
        r"or a call to call back \(call_id\)$",
    ) as exc_info:
        await async_call(hass, data)

    assert exc_info.value.translation_domain == DOMAIN
    assert exc_info.value.translation_key == "number_or_contact"
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("alice")
@pytest.mark.parametrize(
    ("name", "shown"),
    [("Carol", "Carol"), (" carol  ", "carol"), ("Alic", "Alic"), ("", "")],
    ids=["unknown", "unknown_stripped", "prefix", "empty"],
)
async def test_unknown_contact(
    hass: HomeAssistant, simulator: Simulator, name: str, shown: str
) -> None:
    """An unknown name is refused, naming it, and nothing is sent."""
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": name})

    assert exc_info.value.translation_key == "contact_not_found"
    assert exc_info.value.translation_placeholders == {"name": shown}
    assert str(exc_info.value) == f"No contact is named {shown}"
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("alice")
async def test_contact_not_text(hass: HomeAssistant, simulator: Simulator) -> None:
    """A contact that is not a name is refused by the action's schema."""
    with pytest.raises(probatio.Invalid, match="value should be a string"):
        await async_call(hass, {"contact": ["Alice"]})

    assert simulator.count("start_call") == 0


async def test_same_name_in_two_accounts(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> None:
    """A name in two accounts is refused naming both, unless the account is chosen."""
    first = with_contacts(mock_config_entry, ALICE)
    second = with_contacts(second_entry, {**ALICE, "number": "+31508009000"}, BOB)
    await set_up(hass, first, second)

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": "alice"})
    assert exc_info.value.translation_key == "contact_ambiguous"
    assert exc_info.value.translation_placeholders == {
        "name": "Alice",
        "accounts": "Demo User, Second User",
    }
    assert str(exc_info.value) == (
        "Several accounts have a contact named Alice: Demo User, Second User. "
        "Choose the account to call from"
    )
    assert simulator.count("start_call") == 0

    await async_call(hass, {"contact": "alice", "config_entry_id": second.entry_id})
    assert simulator.requests[-1].email == SECOND_EMAIL
    assert simulator.requests[-1].body == {"b_number": "+31508009000"}

    await async_call(hass, {"contact": "Alice", "config_entry_id": first.entry_id})
    assert simulator.requests[-1].email == DEFAULT_EMAIL
    assert simulator.requests[-1].body == {"b_number": "+31508009899"}

    # A name found in one account only needs no account, even with several.
    await async_call(hass, {"contact": "Bob"})
    assert simulator.requests[-1].email == SECOND_EMAIL
    assert simulator.requests[-1].body == {"b_number": "202"}
    assert simulator.count("start_call") == 3


async def test_contact_in_the_account_named_only(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> None:
    """With config_entry_id, only that account's contacts are looked at."""
    first = with_contacts(mock_config_entry, ALICE)
    second = with_contacts(second_entry, BOB)
    await set_up(hass, first, second)

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": "Bob", "config_entry_id": first.entry_id})
    assert exc_info.value.translation_key == "contact_not_found"
    assert exc_info.value.translation_placeholders == {"name": "Bob"}
    assert simulator.count("start_call") == 0


async def test_contact_with_unusable_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """The account named must exist and be loaded, as for a number."""
    entry = with_contacts(mock_config_entry, ALICE)
    await set_up(hass, entry)

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": "Alice", "config_entry_id": "nope"})
    assert exc_info.value.translation_key == "entry_not_found"

    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": "Alice", "config_entry_id": entry.entry_id})
    assert exc_info.value.translation_key == "entry_not_loaded"

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": "Alice"})
    assert exc_info.value.translation_key == "no_loaded_entry"
    assert simulator.count("start_call") == 0


async def test_same_name_twice_in_one_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Two contacts of one account with the same name are refused, naming it."""
    await set_up(
        hass,
        with_contacts(
            mock_config_entry, ALICE, {**ALICE, "name": "alice", "number": "203"}
        ),
    )

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"contact": "ALICE"})
    assert exc_info.value.translation_key == "contact_name_not_unique"
    assert exc_info.value.translation_placeholders == {
        "name": "Alice",
        "account": "Demo User",
    }
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("alice")
async def test_number_calls_unchanged(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A call by number answers as before, without a contact."""
    response = await async_call(hass, {"b_number": "+31508009899"})

    assert response == {"call_id": "00010001c0ffee", "status": "setting_up"}
    [entry] = hass.config_entries.async_entries(DOMAIN)
    latest = entry.runtime_data.coordinator.data.latest
    assert latest is not None
    assert latest.contact is None
