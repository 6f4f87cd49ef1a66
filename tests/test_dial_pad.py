"""Tests of the dial pad: "Number to dial" and the "Dial" button."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
)

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from simulator import Simulator

from .contact_helpers import exception_message, set_up, with_contacts

TEXT = "text.demo_user_number_to_dial"
DIAL = "button.demo_user_dial"


async def set_number(hass: HomeAssistant, value: str) -> None:
    """Type a number on the dial pad."""
    await hass.services.async_call(
        "text", "set_value", {ATTR_ENTITY_ID: TEXT, "value": value}, blocking=True
    )


async def dial(hass: HomeAssistant) -> None:
    """Press "Dial"."""
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: DIAL}, blocking=True
    )


@pytest.mark.usefixtures("init_integration")
async def test_dial(hass: HomeAssistant, simulator: Simulator) -> None:
    """Two taps: type a number, press Dial; the number is kept and called cleaned."""
    assert hass.states.get(TEXT).state == ""
    await set_number(hass, "050 - 800 98 99")
    assert hass.states.get(TEXT).state == "0508009899"
    await dial(hass)
    assert simulator.requests[-1].endpoint == "start_call"
    assert simulator.requests[-1].body == {"b_number": "0508009899"}
    assert hass.states.get("sensor.demo_user_call_status").state == "setting_up"


async def test_dial_with_number_entity_disabled(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """With "Number to dial" disabled, Dial has no number to call and says so."""
    await set_number(hass, "0508009899")
    er.async_get(hass).async_update_entity(
        TEXT, disabled_by=er.RegistryEntryDisabler.USER
    )
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(TEXT) is None

    with pytest.raises(ServiceValidationError) as exc_info:
        await dial(hass)

    assert exc_info.value.translation_key == "dial_pad_empty"
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
async def test_dial_empty(hass: HomeAssistant, simulator: Simulator) -> None:
    """Dial with nothing typed raises a translated error and sends nothing."""
    with pytest.raises(ServiceValidationError) as exc_info:
        await dial(hass)
    assert exc_info.value.translation_key == "dial_pad_empty"
    await set_number(hass, "202")
    await set_number(hass, "  ")  # clearing is allowed
    with pytest.raises(ServiceValidationError):
        await dial(hass)
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "value", ["+", "0", "+1234567890123456", "00", "0-1", "12345-678901", "++31", "(0)"]
)
async def test_bad_number_refused(
    hass: HomeAssistant, simulator: Simulator, value: str
) -> None:
    """A number that cannot be dialled gets a translated message."""
    await set_number(hass, "202")
    with pytest.raises(ServiceValidationError) as exc_info:
        await set_number(hass, value)
    assert exc_info.value.translation_domain == "clicktodial"
    assert exc_info.value.translation_key == "invalid_b_number"
    assert str(exc_info.value) == (
        f'Number: "{value}" is not a phone number or extension. Use a number like '
        "+31508009899 or 0508009899, or an extension like 202"
    )
    assert hass.states.get(TEXT).state == "202"
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("value", ["abc", "call mom", "tel:0508009899", "050\t800"])
async def test_letters_refused(hass: HomeAssistant, value: str) -> None:
    """Text that is no number and no contact's name gets a translated message.

    The entity gives the frontend no pattern (which only colours the field): the message
    is what the person sees.
    """
    await set_number(hass, "202")
    assert hass.states.get(TEXT).attributes["pattern"] is None
    with pytest.raises(ServiceValidationError) as exc_info:
        await set_number(hass, value)
    assert exc_info.value.translation_key == "dial_pad_invalid"
    assert exc_info.value.translation_placeholders == {"text": value.strip()}
    assert str(exc_info.value) == exception_message(
        "en", "dial_pad_invalid", text=value.strip()
    ).rstrip(".")
    assert hass.states.get(TEXT).state == "202"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("+31508009899", "+31508009899"),
        ("050 - 800 98 99", "0508009899"),
        ("+31 (0)50 800.98.99", "+31508009899"),
        ("202", "202"),
        (" ", ""),
    ],
)
async def test_numbers_kept_clean(hass: HomeAssistant, value: str, kept: str) -> None:
    """Every way of writing a number is taken; the number is kept clean."""
    await set_number(hass, value)
    assert hass.states.get(TEXT).state == kept


async def test_contact_name_dialled(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A contact's name typed on the dial pad calls the contact, with its settings."""
    await set_up(
        hass,
        with_contacts(
            mock_config_entry,
            {"name": "Alice", "number": "0508009899", "a_number": "202"},
        ),
    )

    await set_number(hass, "  alice ")
    assert hass.states.get(TEXT).state == "Alice"
    await dial(hass)

    assert simulator.requests[-1].endpoint == "start_call"
    assert simulator.requests[-1].body == {"b_number": "0508009899", "a_number": "202"}
    assert hass.states.get("sensor.demo_user_call_status").attributes["contact"] == (
        "Alice"
    )


@pytest.mark.parametrize(
    ("saved", "restored"),
    [
        ("0508009899", "0508009899"),
        ("+", ""),
        ("unknown", ""),
        ("tel:0508009899", ""),
        ("Nobody", ""),
    ],
)
async def test_number_restored(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    saved: str,
    restored: str,
) -> None:
    """The typed number survives a restart; an unusable one is dropped."""
    mock_restore_cache(hass, [State(TEXT, saved)])
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(TEXT).state == restored
