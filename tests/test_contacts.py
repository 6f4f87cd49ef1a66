"""Tests of contacts: config subentries with a device and a "Call" button each."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN, SUBENTRY_TYPE_CONTACT
from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigSubentryData,
    ConfigSubentryDataWithId,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_FRIENDLY_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from simulator import Fault, Simulator

from .conftest import ACCOUNT_UUID

ALICE = {"name": "Alice", "number": "+31 50 800 9899", "auto_answer": "platform"}


async def add_contact(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    """Run the "Add contact" flow with one form."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_CONTACT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    return dict(result)


def suggested_values(result: dict[str, Any]) -> dict[str, Any]:
    """Return the values a form suggests, by field."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


def subentry_id_of(entry: MockConfigEntry, title: str) -> str:
    """Return the id of the contact with a title."""
    return next(
        subentry_id
        for subentry_id, subentry in entry.subentries.items()
        if subentry.title == title
    )


def account_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry
) -> dr.DeviceEntry:
    """Return the service device of an account."""
    assert entry.unique_id is not None
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.unique_id), entry.entry_id
    )
    assert device is not None
    return device


def contact_device(
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    entity_id: str,
) -> dr.DeviceEntry:
    """Return the device of a contact's button."""
    entity = entity_registry.async_get(entity_id)
    assert entity is not None
    assert entity.device_id is not None
    device = device_registry.async_get(entity.device_id)
    assert device is not None
    return device


async def press(hass: HomeAssistant, entity_id: str) -> None:
    """Press a button."""
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_add_and_call_contact(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A new contact gets a device and a button at once; the button calls the number."""
    runtime_data = init_integration.runtime_data
    result = await add_contact(hass, init_integration, ALICE)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Alice"
    assert result["data"] == {
        "name": "Alice",
        "number": "+31508009899",
        "auto_answer": "platform",
    }

    state = hass.states.get("button.call_alice")
    assert state is not None
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Alice Call"
    entity = entity_registry.async_get("button.call_alice")
    assert entity is not None
    subentry_id = next(iter(init_integration.subentries))
    assert entity.config_subentry_id == subentry_id
    assert entity.unique_id == f"{ACCOUNT_UUID}_{subentry_id}"
    device = contact_device(device_registry, entity_registry, "button.call_alice")
    assert device.name == "Alice"
    assert device.identifiers == {(DOMAIN, f"{ACCOUNT_UUID}_{subentry_id}")}
    assert device.config_entry_id == init_integration.entry_id
    assert device.config_subentry_id == subentry_id
    assert device.via_device_id == account_device(device_registry, init_integration).id
    assert device.manufacturer == "VoIPGRID"
    # Its device page shows the number it calls, as the model.
    assert device.model == "+31508009899"
    assert device.entry_type is None
    assert dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    ) == [account_device(device_registry, init_integration), device]
    # No reload was needed.
    assert init_integration.runtime_data is runtime_data

    await press(hass, "button.call_alice")
    assert simulator.requests[-1].endpoint == "start_call"
    assert simulator.requests[-1].body == {"b_number": "+31508009899"}
    sensor = hass.states.get("sensor.demo_user_call_status")
    assert sensor.state == "setting_up"
    assert sensor.attributes["b_number"] == "+31508009899"


@pytest.mark.parametrize(
    ("contact", "options", "sent"),
    [
        (
            {"a_number": "202", "b_cli": "default_number", "auto_answer": "on"},
            {},
            {"a_number": "202", "b_cli": "default_number", "auto_answer": True},
        ),
        ({"auto_answer": "off"}, {}, {"auto_answer": False}),
        (
            {"auto_answer": "platform"},
            {"a_number": "203", "auto_answer": "on"},
            {"a_number": "203", "auto_answer": True},
        ),
        (
            {"a_number": "204", "auto_answer": "off"},
            {"a_number": "203", "auto_answer": "on"},
            {"a_number": "204", "auto_answer": False},
        ),
    ],
    ids=["contact_settings", "auto_answer_off", "account_defaults", "contact_wins"],
)
async def test_contact_settings(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    contact: dict[str, str],
    options: dict[str, str],
    sent: dict[str, Any],
) -> None:
    """A contact's own settings win over the account's defaults."""
    hass.config_entries.async_update_entry(init_integration, options=options)
    await add_contact(hass, init_integration, {**ALICE, **contact})
    await press(hass, "button.call_alice")
    assert simulator.requests[-1].body == {"b_number": "+31508009899", **sent}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({**ALICE, "number": "abc"}, {"number": "invalid_number"}),
        ({**ALICE, "name": "  "}, {"name": "invalid_name"}),
        ({**ALICE, "a_number": "+"}, {"a_number": "invalid_number"}),
        ({**ALICE, "b_cli": "0"}, {"b_cli": "invalid_number"}),
    ],
    ids=["number", "name", "a_number", "b_cli"],
)
async def test_contact_form_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    user_input: dict[str, str],
    errors: dict[str, str],
) -> None:
    """Bad input is shown on its field; fixing it adds the contact."""
    result = await add_contact(hass, init_integration, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert not init_integration.subentries

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], ALICE
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hass.states.get("button.call_alice") is not None


@pytest.mark.parametrize(
    ("country", "number"),
    [
        (None, "+31-50-8009899"),
        (None, "0031 (0)50 800 9899"),
        ("NL", "050 800 9899"),
        ("NL", "+31 (0)50 800 9899"),
    ],
    ids=["separators", "00_and_trunk_prefix", "national_in_nl", "trunk_prefix_in_nl"],
)
async def test_duplicate_number_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    country: str | None,
    number: str,
) -> None:
    """The same number twice is refused on the form, which keeps what was typed."""
    hass.config.country = country
    await add_contact(hass, init_integration, ALICE)
    bob = {**ALICE, "name": "Bob", "number": number}
    result = await add_contact(hass, init_integration, bob)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"number": "already_configured"}
    assert suggested_values(result) == bob
    assert len(init_integration.subentries) == 1

    # Another number on the same form adds Bob.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**bob, "number": "202"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Bob"
    assert hass.states.get("button.call_bob") is not None


@pytest.mark.parametrize(
    ("country", "number"),
    [
        (None, "050 800 9899"),
        ("BE", "050 800 9899"),
        ("ES", "508009899"),
        ("NL", "050 800 9898"),
    ],
    ids=["no_country", "other_country", "no_trunk_prefix", "other_number"],
)
async def test_different_number_accepted(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    country: str | None,
    number: str,
) -> None:
    """A national number is only the same as an international one in its country."""
    hass.config.country = country
    await add_contact(hass, init_integration, ALICE)
    result = await add_contact(
        hass, init_integration, {**ALICE, "name": "Bob", "number": number}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The number is stored as typed, only cleaned.
    assert result["data"]["number"] == number.replace(" ", "")
    assert len(init_integration.subentries) == 2
    assert hass.states.get("button.call_bob") is not None


async def test_edit_contact(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Editing a contact renews its button and renames its device without a reload.

    The button's entity ID and the device stay.
    """
    hass.config.country = "NL"
    await add_contact(hass, init_integration, ALICE)
    await add_contact(
        hass, init_integration, {**ALICE, "name": "Bob", "number": "050 800 9000"}
    )
    alice_id = subentry_id_of(init_integration, "Alice")
    device = contact_device(device_registry, entity_registry, "button.call_alice")
    runtime_data = init_integration.runtime_data

    result = await init_integration.start_subentry_reconfigure_flow(hass, alice_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    # Bob's number is taken, also written internationally; the form keeps the input.
    taken = {**ALICE, "name": "Alice Smith", "number": "+31 50 800 9000"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], taken
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"number": "already_configured"}
    assert suggested_values(result) == taken
    assert init_integration.subentries[alice_id].title == "Alice"

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "name": "Alice Smith", "number": "0508009898"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.subentries[alice_id].title == "Alice Smith"
    assert init_integration.runtime_data is runtime_data

    state = hass.states.get("button.call_alice")
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Alice Smith Call"
    renamed = contact_device(device_registry, entity_registry, "button.call_alice")
    assert renamed.id == device.id
    assert renamed.name == "Alice Smith"
    assert renamed.model == "0508009898"
    await press(hass, "button.call_alice")
    assert simulator.requests[-1].body == {"b_number": "0508009898"}

    # Keeping its own number is fine, also written another way.
    result = await init_integration.start_subentry_reconfigure_flow(hass, alice_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "name": "Alice", "number": "+31 50 800 9898"}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.subentries[alice_id].data["number"] == "+31508009898"
    assert hass.states.get("button.call_alice").attributes[ATTR_FRIENDLY_NAME] == (
        "Alice Call"
    )
    assert device_registry.async_get(device.id).name == "Alice"
    # Every enabled entity has a state (the queue sensors are disabled by default).
    assert len(
        [
            entity
            for entity in er.async_entries_for_config_entry(
                entity_registry, init_integration.entry_id
            )
            if not entity.disabled
        ]
    ) == len(hass.states.async_all())
    assert (
        len(
            dr.async_entries_for_config_entry(
                device_registry, init_integration.entry_id
            )
        )
        == 3
    )


@pytest.mark.parametrize("name", ["alice", " ALICE ", "Alice", "Alice.", "A.l.i.c.e!"])
async def test_duplicate_name_refused(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    name: str,
) -> None:
    """A name another contact has, in any case or punctuation, is refused on its field.

    Contacts are called by name as Assist reads it: two of them could not be told apart.
    """
    await add_contact(hass, init_integration, ALICE)
    other = {**ALICE, "name": name, "number": "202"}
    result = await add_contact(hass, init_integration, other)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_taken"}
    assert suggested_values(result) == other
    assert len(init_integration.subentries) == 1

    # Another name on the same form adds the contact, which "call Alice" tells apart.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**other, "name": "Alice Smith"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.services.async_call(DOMAIN, "call", {"contact": "alice"}, blocking=True)
    assert simulator.requests[-1].body == {"b_number": "+31508009899"}


async def test_duplicate_name_refused_when_editing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Renaming a contact to another's name, in any case, is refused; its own is fine."""
    await add_contact(hass, init_integration, ALICE)
    await add_contact(hass, init_integration, {**ALICE, "name": "Bob", "number": "202"})
    bob_id = subentry_id_of(init_integration, "Bob")

    result = await init_integration.start_subentry_reconfigure_flow(hass, bob_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "name": "aLiCe", "number": "202"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_taken"}
    assert init_integration.subentries[bob_id].title == "Bob"

    # Its own name in other capitals is no clash.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "name": "BOB", "number": "202"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.subentries[bob_id].title == "BOB"


async def test_phone_to_ring_first_as_in_the_options(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The contact form offers the user's phones as the options do; typing is allowed."""
    options = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_TYPE_CONTACT),
        context={"source": SOURCE_USER},
    )

    def phones(form: Any) -> dict[str, Any]:
        return next(
            dict(value.config)
            for key, value in form["data_schema"].schema.items()
            if key == "a_number"
        )

    assert phones(result) == phones(options)
    assert phones(result)["options"] == [
        {"value": "201", "label": "Desk (201)"},
        {"value": "202", "label": "Softphone (202)"},
        {"value": "+31612345678", "label": "Mobile (+31612345678)"},
    ]
    assert [str(key) for key in result["data_schema"].schema] == [
        "name",
        "number",
        "a_number",
        "b_cli",
        "auto_answer",
    ]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "a_number": "202"}
    )
    await hass.async_block_till_done()
    assert result["data"]["a_number"] == "202"
    await press(hass, "button.call_alice")
    assert simulator.requests[-1].body == {
        "b_number": "+31508009899",
        "a_number": "202",
    }

    # The edit form too, with a typed number kept.
    subentry_id = next(iter(init_integration.subentries))
    result = await init_integration.start_subentry_reconfigure_flow(hass, subentry_id)
    assert phones(result) == phones(options)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "a_number": "050-800 90 01"}
    )
    assert init_integration.subentries[subentry_id].data["a_number"] == "0508009001"


async def test_edit_form_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The edit form shows the contact and its errors."""
    await add_contact(hass, init_integration, ALICE)
    subentry_id = next(iter(init_integration.subentries))
    result = await init_integration.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**ALICE, "number": "nope"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"number": "invalid_number"}


async def test_remove_contact(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Removing a contact removes its button and its device."""
    await add_contact(hass, init_integration, ALICE)
    subentry_id = next(iter(init_integration.subentries))
    device = contact_device(device_registry, entity_registry, "button.call_alice")
    assert hass.config_entries.async_remove_subentry(init_integration, subentry_id)
    await hass.async_block_till_done()
    assert hass.states.get("button.call_alice") is None
    assert entity_registry.async_get("button.call_alice") is None
    assert device_registry.async_get(device.id) is None
    assert dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    ) == [account_device(device_registry, init_integration)]

    # Its number can be added again.
    result = await add_contact(hass, init_integration, ALICE)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hass.states.get("button.call_alice") is not None


async def test_contacts_set_up_with_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Saved contacts get their devices and buttons when the account is set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        subentries_data=[
            ConfigSubentryData(
                data={"name": "Office", "number": "202", "auto_answer": "platform"},
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Office",
                unique_id="202",
            )
        ],
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get("button.call_office")
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Office Call"
    device = contact_device(device_registry, entity_registry, "button.call_office")
    assert device.name == "Office"
    assert device.via_device_id == account_device(device_registry, entry).id
    await press(hass, "button.call_office")
    assert simulator.requests[-1].body == {"b_number": "202"}


async def test_contact_call_error(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A refused call from a button raises the platform's words."""
    await add_contact(hass, init_integration, ALICE)
    simulator.inject(
        "start_call", Fault.http(400, "Extensions or phonenumbers not valid")
    )
    with pytest.raises(HomeAssistantError, match="phonenumbers not valid") as exc_info:
        await press(hass, "button.call_alice")
    assert exc_info.value.translation_key == "call_rejected"


async def test_contact_devices_of_two_accounts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A contact's device is connected via the device of its own account."""
    second_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second_entry.entry_id)
    await hass.async_block_till_done()
    await add_contact(hass, init_integration, ALICE)
    await add_contact(hass, second_entry, ALICE)

    first = contact_device(device_registry, entity_registry, "button.call_alice")
    second = contact_device(device_registry, entity_registry, "button.call_alice_2")
    assert first.id != second.id
    assert first.name == second.name == "Alice"
    assert first.via_device_id == account_device(device_registry, init_integration).id
    assert second.via_device_id == account_device(device_registry, second_entry).id
    assert first.via_device_id != second.via_device_id
    assert first.config_entry_id == init_integration.entry_id
    assert second.config_entry_id == second_entry.entry_id
    assert device_registry.async_get(second.via_device_id).name == "Second User"


async def test_button_of_earlier_version_keeps_entity_id(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A contact button registered without a device keeps its entity ID on its device."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        subentries_data=[
            ConfigSubentryDataWithId(
                data={"name": "Office", "number": "202", "auto_answer": "platform"},
                subentry_id="office",
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Office",
                unique_id="202",
            )
        ],
    )
    entry.add_to_hass(hass)
    # As the button was registered before, when the contact was called Reception.
    old = entity_registry.async_get_or_create(
        "button",
        DOMAIN,
        f"{ACCOUNT_UUID}_office",
        config_entry=entry,
        config_subentry_id="office",
        has_entity_name=True,
        object_id_base="Call Reception",
        original_name="Call Reception",
        translation_key="call_contact",
    )
    assert old.entity_id == "button.call_reception"
    assert old.device_id is None

    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    device = contact_device(device_registry, entity_registry, "button.call_reception")
    assert device.name == "Office"
    assert device.config_subentry_id == "office"
    assert entity_registry.async_get("button.call_reception").id == old.id
    state = hass.states.get("button.call_reception")
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Office Call"
    assert hass.states.get("button.call_office") is None
