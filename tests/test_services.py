"""Tests of the clicktodial.call action against the simulated platform."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import DOMAIN
from custom_components.clicktodial.services import SERVICE_CALL
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from simulator import DEFAULT_EMAIL, Account, Fault, RecordedRequest, Simulator

from .conftest import SECOND_EMAIL
from .helpers import reauth_flows

NUMBER = "+31508009899"


# The clock stands still, so no status poll runs between a call and its checks.
pytestmark = pytest.mark.freeze_time


async def async_call(
    hass: HomeAssistant, data: dict[str, Any], *, return_response: bool = True
) -> ServiceResponse:
    """Run the clicktodial.call action and wait for it."""
    return await hass.services.async_call(
        DOMAIN, SERVICE_CALL, data, blocking=True, return_response=return_response
    )


def last_start_call(simulator: Simulator) -> RecordedRequest:
    """Return the last request the simulator received, which must start a call."""
    request = simulator.requests[-1]
    assert request.endpoint == "start_call"
    assert request.method == "POST"
    return request


@pytest.mark.usefixtures("init_integration")
async def test_call_returns_call_id_and_status(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Test the action starts a call and answers with its id and first status."""
    response = await async_call(hass, {"b_number": NUMBER})

    assert response == {"call_id": "00010001c0ffee", "status": "setting_up"}
    assert simulator.count("start_call") == 1
    request = last_start_call(simulator)
    assert request.email == DEFAULT_EMAIL
    assert request.body == {"b_number": NUMBER}
    assert simulator.calls["00010001c0ffee"].b_number == NUMBER
    latest = mock_config_entry.runtime_data.coordinator.data.latest
    assert latest is not None
    assert latest.call_id == "00010001c0ffee"
    assert latest.b_number == NUMBER


@pytest.mark.usefixtures("init_integration")
async def test_call_without_response(hass: HomeAssistant, simulator: Simulator) -> None:
    """Test the action starts a call when no response is asked for."""
    assert await async_call(hass, {"b_number": NUMBER}, return_response=False) is None

    assert simulator.count("start_call") == 1
    assert last_start_call(simulator).body == {"b_number": NUMBER}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+31508009899", "+31508009899"),
        ("+31 50 800 98 99", "+31508009899"),
        (" +31 50\t800 9899 ", "+31508009899"),
        ("+31.50.800.98.99", "+31508009899"),
        ("+31-50-800-98-99", "+31508009899"),
        ("+31 (50) 800-9899", "+31508009899"),
        ("(050) 800 98 99", "0508009899"),
        ("0031508009899", "+31508009899"),
        ("00 31 50 800 98 99", "+31508009899"),
        ("+31(0)508009899", "+31508009899"),
        ("+31 (0)50 800 98 99", "+31508009899"),
        ("+32 (0) 2 123 45 67", "+3221234567"),
        ("0031 (0)50 800 98 99", "+31508009899"),
        ("0508009899", "0508009899"),
        ("050-800 98 99", "0508009899"),
        ("202", "202"),
        (" 202 ", "202"),
        ("1", "1"),
        ("1234567890", "1234567890"),
        ("+12", "+12"),
        ("+123456789012345", "+123456789012345"),
        ("012", "012"),
    ],
    ids=[
        "e164",
        "spaces",
        "tabs_and_outer_whitespace",
        "dots",
        "dashes",
        "parentheses",
        "national_parentheses",
        "00_prefix",
        "00_prefix_spaces",
        "trunk_prefix",
        "trunk_prefix_spaces",
        "trunk_prefix_belgium",
        "00_prefix_with_trunk_prefix",
        "national",
        "national_separators",
        "extension",
        "extension_whitespace",
        "shortest_extension",
        "longest_extension",
        "shortest_e164",
        "longest_e164",
        "shortest_national",
    ],
)
async def test_good_number(
    hass: HomeAssistant, simulator: Simulator, number: str, expected: str
) -> None:
    """Test every kind of good number is cleaned up before it is sent."""
    await async_call(hass, {"b_number": number})

    assert last_start_call(simulator).body == {"b_number": expected}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "number",
    [
        "abc",
        "+31 50 800 98 99 ext",
        "",
        "   ",
        "+",
        "+1",
        "+1234567890123456",
        "0123456789012345",
        "12345678901",
        "0",
        "00",
        "01",
        "abc123",
        "++31508009899",
        "+31508009899#",
        "+31_508009899",
        "default_number",
    ],
    ids=[
        "letters",
        "trailing_letters",
        "empty",
        "whitespace",
        "lone_plus",
        "e164_one_digit",
        "e164_too_many_digits",
        "national_too_many_digits",
        "extension_too_many_digits",
        "zero",
        "double_zero",
        "national_too_short",
        "letters_and_digits",
        "double_plus",
        "hash",
        "underscore",
        "default_number",
    ],
)
async def test_bad_number(
    hass: HomeAssistant, simulator: Simulator, number: str
) -> None:
    """Test a bad number is refused before anything is sent to the platform."""
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"b_number": number})

    assert exc_info.value.translation_domain == DOMAIN
    assert exc_info.value.translation_key == "invalid_b_number"
    assert exc_info.value.translation_placeholders == {"number": number}
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
async def test_templated_number(hass: HomeAssistant, simulator: Simulator) -> None:
    """Test a number rendered by a template, written with tel: before it.

    Home Assistant renders ``"+31508009899"`` from a template as an integer, which the
    action refuses rather than guess; ``tel:+31508009899`` stays text.
    """
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                name: {
                    "sequence": [
                        {"action": "clicktodial.call", "data": {"b_number": template}}
                    ]
                }
                for name, template in (
                    ("plain", "{{ number }}"),
                    ("tel", "tel:{{ number }}"),
                )
            }
        },
    )
    with pytest.raises(ServiceValidationError) as exc_info:
        await hass.services.async_call(
            "script", "plain", {"number": "+31508009899"}, blocking=True
        )
    assert exc_info.value.translation_key == "b_number_not_text"
    await hass.services.async_call(
        "script", "tel", {"number": "+31508009899"}, blocking=True
    )
    assert last_start_call(simulator).body == {"b_number": "+31508009899"}
    assert simulator.count("start_call") == 1


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("field", ["b_number", "a_number", "b_cli"])
@pytest.mark.parametrize(
    "value", [31508009899, 38938163575, 75839863, 202, True, 1.5, ["202"]]
)
async def test_number_not_text(
    hass: HomeAssistant, simulator: Simulator, field: str, value: object
) -> None:
    """Test a number YAML read as something else than text is refused, not converted.

    Unquoted, ``b_number: 00441234567`` is an octal integer in YAML: converting it to
    text would call another number.
    """
    data: dict[str, object] = {"b_number": "+31508009899", field: value}
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, data)

    assert exc_info.value.translation_key == f"{field}_not_text"
    assert exc_info.value.translation_placeholders is None
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("b_number", "abc", r'^Number: "abc" is not a phone number or extension\. '),
        ("a_number", "+", r'^Phone to ring first: "\+" is not a phone number '),
        ("b_cli", "x", r'^Caller ID: "x" is not a phone number, extension or '),
        ("b_number", 202, r"^Number: the number must be text\. In YAML, "),
        ("a_number", 202, r"^Phone to ring first: the number must be text\. "),
        ("b_cli", 202, r"^Caller ID: the number must be text\. "),
    ],
)
async def test_bad_number_message(
    hass: HomeAssistant, simulator: Simulator, field: str, value: object, message: str
) -> None:
    """Test the error of a bad number names the field by its label, and the number."""
    with pytest.raises(ServiceValidationError, match=message):
        await async_call(hass, {"b_number": NUMBER, field: value})

    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("a_number", "202", "202"),
        ("a_number", " 202 ", "202"),
        ("a_number", "+31 (0)50 800 98 99", "+31508009899"),
        ("a_number", "0031 50 800 98 99", "+31508009899"),
        ("a_number", "050-800.98.99", "0508009899"),
        ("b_cli", "+31 50 800 90 00", "+31508009000"),
        ("b_cli", "(050) 800 9000", "0508009000"),
        ("b_cli", "default_number", "default_number"),
        ("b_cli", " default_number ", "default_number"),
        ("b_cli", "203", "203"),
    ],
    ids=[
        "a_number_extension",
        "a_number_whitespace",
        "a_number_trunk_prefix",
        "a_number_00_prefix",
        "a_number_national",
        "b_cli_e164",
        "b_cli_national",
        "b_cli_default_number",
        "b_cli_default_number_whitespace",
        "b_cli_extension",
    ],
)
async def test_good_optional_number(
    hass: HomeAssistant, simulator: Simulator, field: str, value: str, expected: str
) -> None:
    """Test a_number and b_cli are cleaned up like the number called."""
    await async_call(hass, {"b_number": NUMBER, field: value})

    assert last_start_call(simulator).body == {"b_number": NUMBER, field: expected}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("a_number", "abc"),
        ("a_number", "default_number"),
        ("a_number", "+"),
        ("a_number", "0"),
        ("a_number", "12345678901"),
        ("b_cli", "abc123"),
        ("b_cli", "default"),
        ("b_cli", "default_number2"),
        ("b_cli", "+1234567890123456"),
    ],
    ids=[
        "a_number_letters",
        "a_number_default_number",
        "a_number_lone_plus",
        "a_number_zero",
        "a_number_too_many_digits",
        "b_cli_letters_and_digits",
        "b_cli_default",
        "b_cli_default_number_suffix",
        "b_cli_too_many_digits",
    ],
)
async def test_bad_optional_number(
    hass: HomeAssistant, simulator: Simulator, field: str, value: str
) -> None:
    """Test a bad a_number or b_cli is refused before anything is sent."""
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"b_number": NUMBER, field: value})

    assert exc_info.value.translation_key == f"invalid_{field}"
    assert exc_info.value.translation_placeholders == {"number": value}
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("auto_answer", "expected"),
    [(True, True), (False, False), ("on", True), ("off", False)],
    ids=["true", "false", "on", "off"],
)
async def test_auto_answer(
    hass: HomeAssistant, simulator: Simulator, auto_answer: Any, expected: bool
) -> None:
    """Test auto_answer is sent as a boolean when given."""
    await async_call(hass, {"b_number": NUMBER, "auto_answer": auto_answer})

    body = last_start_call(simulator).body
    assert body == {"b_number": NUMBER, "auto_answer": expected}
    assert body["auto_answer"] is expected


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("options", "data", "expected"),
    [
        ({}, {}, {}),
        ({"auto_answer": "platform"}, {}, {}),
        ({"auto_answer": "on"}, {}, {"auto_answer": True}),
        ({"auto_answer": "off"}, {}, {"auto_answer": False}),
        ({"a_number": "202", "auto_answer": "platform"}, {}, {"a_number": "202"}),
        (
            {"b_cli": "default_number", "auto_answer": "platform"},
            {},
            {"b_cli": "default_number"},
        ),
        (
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": "on"},
            {},
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": True},
        ),
        (
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": "on"},
            {"a_number": "203", "b_cli": "default_number", "auto_answer": False},
            {"a_number": "203", "b_cli": "default_number", "auto_answer": False},
        ),
        (
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": "off"},
            {"auto_answer": True},
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": True},
        ),
        (
            {"a_number": "202", "auto_answer": "platform"},
            {"b_cli": "+31 50 800 9000"},
            {"a_number": "202", "b_cli": "+31508009000"},
        ),
        (
            {"auto_answer": "platform"},
            {"auto_answer": False},
            {"auto_answer": False},
        ),
    ],
    ids=[
        "no_options",
        "platform_auto_answer",
        "auto_answer_on",
        "auto_answer_off",
        "a_number_only",
        "b_cli_only",
        "all_options",
        "fields_override_all_options",
        "field_overrides_auto_answer_off",
        "field_and_options_combined",
        "field_overrides_platform_auto_answer",
    ],
)
async def test_option_defaults(
    hass: HomeAssistant,
    simulator: Simulator,
    options: dict[str, Any],
    data: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    """Test the entry's options fill in the fields the action does not give."""
    [entry] = hass.config_entries.async_entries(DOMAIN)
    hass.config_entries.async_update_entry(entry, options=options)

    await async_call(hass, {"b_number": NUMBER, **data})

    assert last_start_call(simulator).body == {"b_number": NUMBER, **expected}


@pytest.mark.usefixtures("init_integration")
async def test_bad_option_is_refused(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Test a bad number in the options is refused like a bad field."""
    hass.config_entries.async_update_entry(
        mock_config_entry, options={"a_number": "abc", "auto_answer": "platform"}
    )

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "invalid_a_number"
    assert exc_info.value.translation_placeholders == {"number": "abc"}
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            Fault.http(400, {"b_number": ["This field is required."]}),
            "b_number: This field is required.",
        ),
        (
            Fault.http(400, "Extensions or phonenumbers not valid"),
            "Extensions or phonenumbers not valid",
        ),
        (
            Fault.http(400, {"error": "User has no permission"}),
            "User has no permission",
        ),
        (
            Fault.http(400, {"clicktodial": {"a_number": ["Enter a valid number."]}}),
            "a_number: Enter a valid number.",
        ),
        (
            Fault.http(400, {"description": "b_cli must be a number you own"}),
            "b_cli must be a number you own",
        ),
        (Fault.http(400, {"detail": "Bad request."}), "Bad request."),
        (Fault.http(400, {"message": "Not allowed."}), "Not allowed."),
        (
            Fault.http(400, {"b_number": ["Too long."], "b_cli": ["Not yours."]}),
            "b_number: Too long.; b_cli: Not yours.",
        ),
        (
            Fault.http(400, ["First problem.", "Second problem."]),
            "First problem.; Second problem.",
        ),
        (Fault.http(400, {"error": {"message": "Nested."}}), "Nested."),
        (Fault.http(400), "The platform rejected the request"),
        (Fault.http(400, {}), "The platform rejected the request"),
        (Fault.malformed(400), "<html>Bad gateway</html>{"),
    ],
    ids=[
        "field_errors",
        "plain_string",
        "error_key",
        "nested_field_errors",
        "description_key",
        "detail_key",
        "message_key",
        "several_fields",
        "list",
        "nested_message",
        "null_body",
        "empty_object",
        "not_json",
    ],
)
async def test_call_rejected(
    hass: HomeAssistant, simulator: Simulator, fault: Fault, message: str
) -> None:
    """Test a 400 answer is reported with the platform's own words."""
    simulator.inject("start_call", fault)

    with pytest.raises(HomeAssistantError) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert not isinstance(exc_info.value, ServiceValidationError)
    assert exc_info.value.translation_key == "call_rejected"
    assert exc_info.value.translation_placeholders == {"message": message}
    assert str(exc_info.value) == f"The platform refused the call: {message}"
    assert simulator.count("start_call") == 1
    assert not simulator.calls


@pytest.mark.parametrize(
    "options",
    [{"auto_answer": "platform"}, {"a_number": "202", "auto_answer": "platform"}],
    ids=["field", "option"],
)
async def test_a_number_not_permitted(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
    options: dict[str, Any],
) -> None:
    """Test the platform's refusal of an a_number the user may not set is reported."""
    account.may_set_a_number = False
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=options)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    with pytest.raises(
        HomeAssistantError,
        match=r"^The platform refused the call: User has no permission to provide "
        r"a_number for ClickToDial$",
    ) as exc_info:
        await async_call(hass, {"b_number": NUMBER, "a_number": "202"})

    assert exc_info.value.translation_key == "call_rejected"
    assert last_start_call(simulator).body == {"b_number": NUMBER, "a_number": "202"}
    assert not simulator.calls

    # Without an a_number the same account may call.
    hass.config_entries.async_update_entry(
        mock_config_entry, options={"auto_answer": "platform"}
    )
    assert await async_call(hass, {"b_number": NUMBER}) == {
        "call_id": "00010001c0ffee",
        "status": "setting_up",
    }


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("30", "30"), ("2.5", "2.5"), ("0", "0"), (None, "60"), ("soon", "60")],
    ids=["seconds", "fraction", "zero", "missing", "not_a_number"],
)
async def test_rate_limited(
    hass: HomeAssistant, simulator: Simulator, retry_after: str | None, expected: str
) -> None:
    """Test a 429 answer is reported with the time to wait."""
    simulator.inject("start_call", Fault.rate_limited(retry_after))

    with pytest.raises(HomeAssistantError) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "rate_limited"
    assert exc_info.value.translation_placeholders == {"retry_after": expected}
    assert (
        str(exc_info.value)
        == f"Too many requests to the platform; retry in {expected} s"
    )
    assert simulator.count("start_call") == 1


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(500, {"detail": "Server error"}),
        Fault.http(502),
        Fault.http(404, {"detail": "Not found."}),
        Fault.connection_reset(),
        Fault.malformed(),
        Fault.malformed(201),
        Fault.http(201, {"status": None}),
        Fault.http(201, ["not", "a", "call"]),
        Fault.http(302),
    ],
    ids=[
        "server_error",
        "bad_gateway",
        "not_found",
        "connection_reset",
        "malformed",
        "malformed_created",
        "no_call_id",
        "not_an_object",
        "redirect",
    ],
)
async def test_cannot_connect(
    hass: HomeAssistant, simulator: Simulator, fault: Fault
) -> None:
    """Test an unusable answer or no answer is reported as a connection problem."""
    simulator.inject("start_call", fault)

    with pytest.raises(
        HomeAssistantError, match=r"^Cannot reach the platform$"
    ) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "cannot_connect"
    assert simulator.count("start_call") == 1
    assert not simulator.calls


@pytest.mark.usefixtures("init_integration")
async def test_cannot_connect_platform_down(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Test a platform that is not running is reported as a connection problem."""
    await simulator.stop()

    with pytest.raises(HomeAssistantError) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "cannot_connect"
    assert simulator.count("start_call") == 0


@pytest.mark.parametrize(
    "refuse",
    [
        lambda simulator, account: setattr(account, "revoked", True),
        lambda simulator, account: simulator.inject("start_call", Fault.http(401)),
        lambda simulator, account: simulator.inject(
            "start_call", Fault.http(403, {"detail": "Forbidden."})
        ),
        lambda simulator, account: setattr(account, "partner", True),
    ],
    ids=["revoked", "unauthorized", "forbidden", "partner"],
)
async def test_call_auth_failed(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
    refuse: Any,
) -> None:
    """Test a refused token is reported and starts reauthentication."""
    assert not reauth_flows(hass, init_integration)
    refuse(simulator, account)

    with pytest.raises(
        HomeAssistantError, match=r"^The platform refused the call: the API token"
    ) as exc_info:
        await async_call(hass, {"b_number": NUMBER})
    await hass.async_block_till_done()

    assert exc_info.value.translation_key == "call_auth_failed"
    assert simulator.count("start_call") == 1
    assert not simulator.calls
    flows = reauth_flows(hass, init_integration)
    assert len(flows) == 1
    assert flows[0]["step_id"] == "reauth_confirm"
    assert init_integration.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "entry_id",
    ["does-not-exist", "other-domain"],
    ids=["unknown", "other_domain"],
)
async def test_entry_not_found(
    hass: HomeAssistant, simulator: Simulator, entry_id: str
) -> None:
    """Test an id that is not an account of this integration is refused."""
    MockConfigEntry(domain="other", entry_id="other-domain").add_to_hass(hass)

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"b_number": NUMBER, "config_entry_id": entry_id})

    assert exc_info.value.translation_key == "entry_not_found"
    assert exc_info.value.translation_placeholders == {"entry_id": entry_id}
    assert simulator.count("start_call") == 0


@pytest.mark.usefixtures("init_integration")
async def test_entry_not_loaded(
    hass: HomeAssistant, simulator: Simulator, second_entry: MockConfigEntry
) -> None:
    """Test an account that is not loaded is refused."""
    second_entry.add_to_hass(hass)
    assert second_entry.state is ConfigEntryState.NOT_LOADED

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(
            hass, {"b_number": NUMBER, "config_entry_id": second_entry.entry_id}
        )

    assert exc_info.value.translation_key == "entry_not_loaded"
    assert exc_info.value.translation_placeholders == {"title": "Second User"}
    assert str(exc_info.value) == "The account Second User is not loaded"
    assert simulator.count("start_call") == 0


async def test_entry_not_loaded_after_unload(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Test an unloaded account is refused when named."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(
            hass, {"b_number": NUMBER, "config_entry_id": init_integration.entry_id}
        )

    assert exc_info.value.translation_key == "entry_not_loaded"
    assert simulator.count("start_call") == 0


async def test_no_loaded_entry(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Test the action is refused when no account is loaded."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED

    with pytest.raises(
        ServiceValidationError,
        match=r"^No Click to dial account is set up and loaded$",
    ) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "no_loaded_entry"
    assert simulator.count("start_call") == 0


async def test_no_entry_at_all(hass: HomeAssistant) -> None:
    """Test the action is refused when no account was ever set up."""
    assert await async_setup_component(hass, DOMAIN, {})

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "no_loaded_entry"


@pytest.mark.usefixtures("init_integration")
async def test_entry_required(
    hass: HomeAssistant, simulator: Simulator, second_entry: MockConfigEntry
) -> None:
    """Test the account must be named when several are loaded."""
    second_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second_entry.entry_id)
    await hass.async_block_till_done()

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call(hass, {"b_number": NUMBER})

    assert exc_info.value.translation_key == "entry_required"
    assert simulator.count("start_call") == 0


@pytest.mark.parametrize("which", ["first", "second"])
async def test_call_from_named_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    which: str,
) -> None:
    """Test the named account starts the call when several are loaded."""
    second_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second_entry.entry_id)
    await hass.async_block_till_done()
    entry = init_integration if which == "first" else second_entry
    other = second_entry if which == "first" else init_integration
    email = DEFAULT_EMAIL if which == "first" else SECOND_EMAIL
    # Call ids end in the account's id on the platform.
    call_id = "00010001c0ffee" if which == "first" else "00010002c0ffee"

    response = await async_call(
        hass, {"b_number": NUMBER, "config_entry_id": entry.entry_id}
    )

    assert response == {"call_id": call_id, "status": "setting_up"}
    assert last_start_call(simulator).email == email
    assert simulator.count("start_call") == 1
    assert entry.runtime_data.coordinator.data.latest is not None
    assert entry.runtime_data.coordinator.data.latest.call_id == call_id
    assert other.runtime_data.coordinator.data.latest is None


@pytest.mark.parametrize(
    "options",
    [
        {"a_number": "202", "b_cli": "default_number", "auto_answer": "on"},
        {"auto_answer": "off"},
    ],
    ids=["all_options", "auto_answer_off"],
)
async def test_named_entry_uses_its_own_options(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
    options: dict[str, Any],
) -> None:
    """Test the defaults come from the account that calls, not another one."""
    second_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second_entry.entry_id)
    await hass.async_block_till_done()
    hass.config_entries.async_update_entry(init_integration, options=options)

    await async_call(
        hass, {"b_number": NUMBER, "config_entry_id": second_entry.entry_id}
    )

    request = last_start_call(simulator)
    assert request.email == SECOND_EMAIL
    assert request.body == {"b_number": NUMBER}
