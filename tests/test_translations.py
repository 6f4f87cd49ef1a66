"""Tests of the translations, icons and manifest of the Click to dial integration."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any
from unittest.mock import ANY

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.clicktodial import config_flow
from custom_components.clicktodial.const import (
    AUTO_ANSWER_OPTIONS,
    CONF_API_TOKEN,
    DOMAIN,
)
from custom_components.clicktodial.errors import flow_error
from custom_components.clicktodial.services import (
    SERVICE_CALL_SCHEMA,
    SERVICE_HANG_UP_SCHEMA,
)
from custom_components.clicktodial.voipgrid import (
    CallerIdNumber,
    CallStatus,
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridCredentialsError,
    VoipgridInvalidRequestError,
    VoipgridResponseError,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.selector import SelectSelector
from homeassistant.helpers.translation import async_get_translations

REPOSITORY = Path(__file__).parent.parent
INTEGRATION = REPOSITORY / "custom_components" / DOMAIN
LANGUAGES = ("en", "nl")
NUMBER_FIELDS = ("b_number", "a_number", "b_cli")

# Anything that looks like a web address: hassfest refuses URLs in translations (they
# belong in description placeholders). Stricter than hassfest: a bare scheme counts too.
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://|\bwww\.", re.IGNORECASE)
_HTML = re.compile(r"<[a-z/!]", re.IGNORECASE)
_SINGLE_QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")

# Every rule of Home Assistant's integration quality scale, as hassfest checks them.
QUALITY_SCALE_RULES = {
    "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
    "config-flow-test-coverage", "dependency-transparency", "docs-actions",
    "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "docs-triggers", "entity-event-setup",
    "entity-unique-id", "has-entity-name", "runtime-data", "test-before-configure",
    "test-before-setup", "unique-config-entry", "action-exceptions",
    "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow",
    "test-coverage", "devices", "diagnostics", "discovery", "discovery-update-info",
    "docs-data-update", "docs-examples", "docs-known-limitations",
    "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
    "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
    "entity-disabled-by-default", "entity-translations", "exception-translations",
    "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip

_TRANSLATION_KEY = re.compile(r'translation_key=(f?)"([^"]+)"')
_ATTR_TRANSLATION_KEY = re.compile(r'_attr_translation_key = "([^"]+)"')
_BASE_ERROR = re.compile(r'\{"base": "([^"]+)"\}')
_FIELD_ERROR = re.compile(r'\{CONF_[A-Z_]+: "([^"]+)"\}')
_ITEM_ERROR = re.compile(r'errors\[\w+\] = "([^"]+)"')
_REASON = re.compile(r'reason="([^"]+)"')


def load_json(name: str) -> dict[str, Any]:
    """Return a JSON file of the integration."""
    data = json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def translations(language: str) -> dict[str, Any]:
    """Return the translations of a language."""
    return load_json(f"translations/{language}.json")


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Return every string of nested translations by its dotted key."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            assert isinstance(value, str), path
            flat[path] = value
    return flat


def placeholders(text: str) -> set[str]:
    """Return the names of the {placeholders} of a string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def python_sources() -> dict[str, str]:
    """Return the source of every module of the integration by file name."""
    sources = {
        path.relative_to(INTEGRATION).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(INTEGRATION.rglob("*.py"))
    }
    assert "services.py" in sources
    return sources


def calls_with_keyword(tree: ast.AST, keyword: str) -> Iterator[ast.Call]:
    """Yield every call in a syntax tree that passes a string ``keyword`` (or f-string)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(
            kw.arg == keyword
            and (
                isinstance(kw.value, ast.JoinedStr)
                or (
                    isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                )
            )
            for kw in node.keywords
        ):
            yield node


def keyword_value(call: ast.Call, keyword: str) -> ast.expr | None:
    """Return the value passed for a keyword argument of a call."""
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def dict_keys(node: ast.expr | None) -> set[str]:
    """Return the literal string keys of a dict display (none when there is none)."""
    if node is None:
        return set()
    assert isinstance(node, ast.Dict), ast.dump(node)
    keys = set()
    for key in node.keys:
        assert isinstance(key, ast.Constant), ast.dump(node)
        keys.add(key.value)
    return keys


def key_values(node: ast.expr | None) -> list[str]:
    """Return the keys a translation key expression can take.

    A literal is one key; ``f"invalid_{field}"`` is one key per number field.
    """
    if isinstance(node, ast.Constant):
        return [node.value]
    assert isinstance(node, ast.JoinedStr), ast.dump(node) if node else node
    template = "".join(
        part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
    )
    assert template.count("{}") == 1, template
    return [template.format(field) for field in NUMBER_FIELDS]


def is_entity_description(call: ast.Call) -> bool:
    """Return whether a call makes an entity description (its translation_key names one)."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name.endswith("Description")


def description_keys() -> set[tuple[str, str]]:
    """Return (platform, translation key) of every entity description in the code."""
    found = set()
    for name, source in python_sources().items():
        for call in calls_with_keyword(ast.parse(source, name), "translation_key"):
            if is_entity_description(call):
                key = keyword_value(call, "translation_key")
                assert isinstance(key, ast.Constant), name
                found.add((name.removesuffix(".py"), key.value))
    return found


def exception_keys() -> dict[str, set[str]]:
    """Return the translation keys raised in the code with their placeholder names."""
    found: dict[str, set[str]] = {}
    for name, source in python_sources().items():
        for call in calls_with_keyword(ast.parse(source, name), "translation_key"):
            if is_entity_description(call):
                continue
            key = keyword_value(call, "translation_key")
            names = dict_keys(keyword_value(call, "translation_placeholders"))
            for value in key_values(key):
                assert found.setdefault(value, names) == names, value
    return found


def flow_classes() -> dict[str, str]:
    """Return the source of the config flow and of the options flow."""
    source = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    classes = {
        node.name: ast.get_source_segment(source, node)
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef)
    }
    return {
        "config": classes["ClickToDialConfigFlow"] or "",
        "options": classes["ClickToDialOptionsFlow"] or "",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_valid_strings(language: str) -> None:
    """Test every translation is a non-empty string under a lowercase key."""
    flat = flatten(translations(language))

    assert flat
    for key, text in flat.items():
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", key), key
        assert text, key
        assert text == text.strip(), key


def test_same_keys() -> None:
    """Test every language translates exactly the same strings."""
    english = flatten(translations("en"))
    dutch = flatten(translations("nl"))

    assert sorted(english) == sorted(dutch)


def test_same_placeholders() -> None:
    """Test every string has the same placeholders in every language."""
    english = flatten(translations("en"))
    dutch = flatten(translations("nl"))

    for key, text in english.items():
        assert placeholders(dutch[key]) == placeholders(text), key


def test_regex_finds_every_exception_key() -> None:
    """Test the plain search and the syntax tree agree on the keys used in code."""
    by_regex = {
        key
        for source in python_sources().values()
        for prefix, text in _TRANSLATION_KEY.findall(source)
        for key in (
            [re.sub(r"\{\w+\}", field, text) for field in NUMBER_FIELDS]
            if prefix
            else [text]
        )
    }

    assert by_regex == set(exception_keys()) | {key for _, key in description_keys()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_exception_translations(language: str) -> None:
    """Test every exception raised has a message with the placeholders it is given."""
    exceptions = translations(language)["exceptions"]
    used = exception_keys()

    assert "invalid_b_number" in used  # the search finds what the code raises
    assert set(exceptions) == set(used)
    for key, names in used.items():
        assert set(exceptions[key]) == {"message"}, key
        assert placeholders(exceptions[key]["message"]) == names, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_entity_translations(language: str) -> None:
    """Test every entity translation key used in code is translated."""
    entity = translations(language)["entity"]
    used: set[tuple[str, str]] = set()
    for name, source in python_sources().items():
        # A platform's entities may live in a subpackage's module of the same name.
        platform = name.removesuffix(".py").rsplit("/", 1)[-1]
        for key in _ATTR_TRANSLATION_KEY.findall(source):
            used.add((platform, key))
    used |= description_keys()

    assert ("sensor", "call_status") in used  # the search finds what the code uses
    assert ("sensor", "calls_today") in used  # ... also in entity descriptions
    assert {(platform, key) for platform in entity for key in entity[platform]} == used
    for platform, key in used:
        assert entity[platform][key]["name"], (platform, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_flow_errors_and_aborts(language: str) -> None:
    """Test every error and abort reason of the flows is translated."""
    strings = translations(language)
    flows = flow_classes()
    # The credential check's errors come from the one mapping of platform errors.
    platform_errors = {
        flow_error(err)
        for err in (
            VoipgridAuthenticationError(401),
            VoipgridCredentialsError(),
            VoipgridInvalidRequestError("refused"),
            VoipgridConnectionError(),
            VoipgridResponseError(),
        )
    }
    config_errors = platform_errors | {
        error
        for pattern in (_BASE_ERROR, _FIELD_ERROR, _ITEM_ERROR)
        for error in pattern.findall(flows["config"])
    }
    module_errors = {
        error
        for pattern in (_BASE_ERROR, _FIELD_ERROR, _ITEM_ERROR)
        for error in pattern.findall(
            (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
        )
    }
    reasons = set(_REASON.findall(flows["config"]))

    assert config_errors == {
        "invalid_auth",
        "unknown",
        "cannot_connect",
        "no_click_to_dial",
        "invalid_url",
        "required",
    }
    assert reasons == {"wrong_account"}
    assert set(strings["config"]["error"]) == config_errors
    # The options and the contacts share the check of the call defaults.
    assert set(strings["options"]["error"]) == {"invalid_number"}
    contact = strings["config_subentries"]["contact"]
    assert set(contact["error"]) == {
        "invalid_number",
        "invalid_name",
        "name_taken",
        "already_configured",
    }
    assert set(contact["abort"]) == {"already_configured", "reconfigure_successful"}
    assert module_errors | platform_errors == config_errors | set(contact["error"])
    # Reasons given by Home Assistant's helpers the flow uses.
    implicit = {"already_configured", "reauth_successful", "reconfigure_successful"}
    assert set(strings["config"]["abort"]) == reasons | implicit
    assert "abort" not in strings["options"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_flow_steps(language: str) -> None:
    """Test every form step has a title, a label and a description for each field."""
    strings = translations(language)
    schemas = {
        ("config", "user"): config_flow.USER_SCHEMA,
        ("config", "reauth_confirm"): config_flow.REAUTH_SCHEMA,
        ("config", "reconfigure"): config_flow.RECONFIGURE_SCHEMA,
        ("options", "init"): config_flow.options_schema([]),
    }
    shown: dict[tuple[str, str], set[str]] = {}
    for flow, source in flow_classes().items():
        for call in calls_with_keyword(ast.parse(source), "step_id"):
            step_id = keyword_value(call, "step_id")
            assert isinstance(step_id, ast.Constant)
            given = dict_keys(keyword_value(call, "description_placeholders"))
            shown[flow, step_id.value] = given

    assert set(shown) == set(schemas)
    assert set(strings["config"]["step"]) == {
        step for flow, step in schemas if flow == "config"
    }
    assert set(strings["options"]["step"]) == {
        step for flow, step in schemas if flow == "options"
    }
    for (flow, step_id), schema in schemas.items():
        step = strings[flow]["step"][step_id]
        fields = {str(key) for key in schema.schema}
        assert step["title"], (flow, step_id)
        assert set(step["data"]) == fields, (flow, step_id)
        assert set(step["data_description"]) == fields, (flow, step_id)
        used = set().union(*(placeholders(text) for text in flatten(step).values()))
        assert used == shown[flow, step_id], (flow, step_id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_selector_translations(language: str) -> None:
    """Test every option of every translated selector (flows, triggers) is translated."""
    selectors = translations(language)["selector"]
    triggers = yaml.safe_load((INTEGRATION / "triggers.yaml").read_text("utf-8"))
    # Caller ID translates only its fixed option: the numbers are the account's own.
    numbers = [CallerIdNumber(number="+31508009000", description="Main number")]
    used = {
        field["selector"]["select"]["translation_key"]: field["selector"]["select"][
            "options"
        ]
        for trigger in triggers.values()
        for field in trigger.get("fields", {}).values()
        if "select" in field["selector"]
    } | {
        selector.config["translation_key"]: [
            option["value"] if isinstance(option, dict) else option
            for option in selector.config["options"]
            if option not in ("+31508009000", {"value": "+31508009000", "label": ANY})
        ]
        for schema in (
            config_flow.USER_SCHEMA,
            config_flow.RECONFIGURE_SCHEMA,
            config_flow.options_schema([], numbers),
            config_flow.contact_schema([], numbers),
        )
        for selector in schema.schema.values()
        if isinstance(selector, SelectSelector)
        and selector.config.get("translation_key")
    }

    assert used == {
        "auto_answer": AUTO_ANSWER_OPTIONS,
        "contact_auto_answer": AUTO_ANSWER_OPTIONS,
        "call_status": [status.value for status in CallStatus],
        "b_cli": ["default_number"],
    }
    assert set(selectors) == set(used)
    for key, options in used.items():
        assert list(selectors[key]["options"]) == options, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_service_translations(language: str) -> None:
    """Test every action and field in services.yaml has a name and a description."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    translated = translations(language)["services"]

    assert set(translated) == set(services) == {"call", "hang_up"}
    for service, spec in services.items():
        assert translated[service]["name"], service
        assert translated[service]["description"], service
        assert set(translated[service]["fields"]) == set(spec["fields"]), service
        for field in spec["fields"]:
            texts = translated[service]["fields"][field]
            assert set(texts) == {"name", "description"}, (service, field)
            assert texts["name"], (service, field)
            assert texts["description"], (service, field)


def test_service_fields_match_schema() -> None:
    """Test services.yaml describes exactly the fields the action accepts."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))

    assert set(services["call"]["fields"]) == {
        str(key) for key in SERVICE_CALL_SCHEMA.schema
    }
    assert set(services["hang_up"]["fields"]) == {
        str(key) for key in SERVICE_HANG_UP_SCHEMA.schema
    }
    # Exactly one of b_number and contact is needed: the action checks it, so neither
    # is required on its own.
    assert not any(
        field.get("required")
        for service in services.values()
        for field in service["fields"].values()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_call_status_translations(language: str) -> None:
    """Test every call status has a state translation for the sensor and the event."""
    entity = translations(language)["entity"]
    statuses = [status.value for status in CallStatus]

    assert list(entity["sensor"]["call_status"]["state"]) == statuses
    assert list(entity["event"]["call"]["state_attributes"]["event_type"]["state"]) == [
        *statuses,
        "not_followed",
    ]


def test_icons() -> None:
    """Test every call status, entity and action has an icon."""
    icons = load_json("icons.json")
    statuses = {status.value for status in CallStatus}

    sensor = icons["entity"]["sensor"]["call_status"]
    assert sensor["default"].startswith("mdi:")
    assert set(sensor["state"]) == statuses
    assert all(icon.startswith("mdi:") for icon in sensor["state"].values())
    event = icons["entity"]["event"]["call"]
    assert event["default"].startswith("mdi:")
    assert set(event["state_attributes"]["event_type"]["state"]) == statuses | {
        "not_followed"
    }
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    assert set(icons["services"]) == set(services)
    assert all(
        icon["service"].startswith("mdi:") for icon in icons["services"].values()
    )
    entity = translations("en")["entity"]
    assert {
        (platform, key)
        for platform in icons["entity"]
        for key in icons["entity"][platform]
    } == {(platform, key) for platform in entity for key in entity[platform]}


def test_manifest() -> None:
    """Test the manifest is complete and ordered like Home Assistant requires."""
    manifest = load_json("manifest.json")
    keys = list(manifest)

    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == DOMAIN
    assert manifest["name"]
    assert manifest["integration_type"] == "service"
    assert manifest["iot_class"] == "cloud_polling"
    assert manifest["config_flow"] is True
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["codeowners"]
    assert all(owner.startswith("@") for owner in manifest["codeowners"])


def test_url_pattern() -> None:
    """Test the URL search finds what hassfest refuses, and not phone numbers."""
    assert _URL.search("for example https://partner.voys.co.")
    assert _URL.search("Plain http:// is only allowed")
    assert _URL.search("see www.voys.nl")
    assert not _URL.search("start the text with tel:, as in tel:+31508009899.")
    assert not _URL.search("for example {example_url}.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_urls(language: str) -> None:
    """Test no translation contains a URL: hassfest wants description placeholders."""
    for key, text in flatten(translations(language)).items():
        assert not _URL.search(text), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_hassfest_string_rules(language: str) -> None:
    """Test the other rules hassfest has for every string of a translation."""
    for key, text in flatten(translations(language)).items():
        assert not _HTML.search(text), key
        assert not _SINGLE_QUOTED_PLACEHOLDER.search(text), key
        assert all(name.isidentifier() for name in placeholders(text)), key
        parts = key.split(".")
        if parts[0] == "entity" and ("state" in parts or "state_attributes" in parts):
            # States, attribute names and attribute states take no placeholders.
            assert not placeholders(text), key
        if parts[0] in ("entity", "selector") and "state" in parts[:-1]:
            assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", parts[-1]), key


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("step", ["user", "reconfigure"])
async def test_invalid_url_error_filled(
    hass: HomeAssistant, language: str, step: str
) -> None:
    """Test the invalid URL error and the URL help show the example URL, filled in."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="00000000-0000-4000-8000-000000000001",
        data={
            CONF_URL: "https://api.voipgrid.nl",
            CONF_EMAIL: "user@example.com",
            CONF_API_TOKEN: "token",
        },
    )
    entry.add_to_hass(hass)
    if step == "user":
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    else:
        result = await entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_URL: "http://example.com", CONF_EMAIL: "e@x.nl", CONF_API_TOKEN: "t"},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    assert result["errors"] == {CONF_URL: "invalid_url"}
    strings = await async_get_translations(hass, language, "config", {DOMAIN})
    prefix = f"component.{DOMAIN}.config"
    for key in (
        f"{prefix}.error.invalid_url",
        f"{prefix}.step.{step}.data_description.url",
    ):
        shown = strings[key].format(**result["description_placeholders"])
        assert "https://partner.voys.co" in shown, key
        assert "{" not in shown, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_contact_form_wording(language: str) -> None:
    """Test the contact form names its fields like the options, but its own default.

    In the options "platform" is the platform's setting; in a contact it is the
    account's default, so the contact form has its own names of the choices.
    """
    strings = translations(language)
    options = strings["options"]["step"]["init"]
    selectors = strings["selector"]
    for step in strings["config_subentries"]["contact"]["step"].values():
        for field in ("a_number", "auto_answer"):
            assert step["data"][field] == options["data"][field], field
    platform = selectors["contact_auto_answer"]["options"]["platform"]
    assert platform != selectors["auto_answer"]["options"]["platform"]
    assert (
        platform
        == {"en": "Account default", "nl": "Standaard van het account"}[language]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_number_errors_name_the_field(language: str) -> None:
    """Test each number error of the action names its field by the field's label."""
    strings = translations(language)
    exceptions = strings["exceptions"]
    fields = strings["services"]["call"]["fields"]

    for field in NUMBER_FIELDS:
        label = fields[field]["name"]
        for key in (f"invalid_{field}", f"{field}_not_text"):
            message = exceptions[key]["message"]
            assert message.startswith(f"{label}: "), key
            assert field not in message.replace("default_number", ""), key
    assert "invalid_number" not in exceptions
    assert "number_not_text" not in exceptions


@pytest.mark.parametrize("language", LANGUAGES)
def test_state_attribute_translations(language: str) -> None:
    """Test every attribute of the sensor and the event has a name, and its values."""
    entity = translations(language)["entity"]
    sensor = entity["sensor"]["call_status"]["state_attributes"]
    event = entity["event"]["call"]["state_attributes"]
    statuses = [status.value for status in CallStatus]

    assert set(sensor) == {
        "call_id",
        "b_number",
        "contact",
        "started",
        "tracking",
        "other_number",
        "other_name",
    }
    assert all(attribute["name"] for attribute in sensor.values())
    assert (
        sensor["tracking"]["state"]
        == {
            "en": {"true": "Yes", "false": "No"},
            "nl": {"true": "Ja", "false": "Nee"},
        }[language]
    )
    assert set(event) == {
        "event_type",
        "call_id",
        "b_number",
        "contact",
        "previous_status",
    }
    assert all(event[name]["name"] for name in set(event) - {"event_type"})
    assert list(event["previous_status"]["state"]) == statuses
    assert event["previous_status"]["state"] == {
        status: name
        for status, name in event["event_type"]["state"].items()
        if status != "not_followed"
    }


# Home Assistant's own Dutch words for its screens and states (frontend, nl).
HOME_ASSISTANT_NL = {"unavailable": "Niet beschikbaar"}


def test_dutch_words_of_home_assistant() -> None:
    """Dutch texts name Home Assistant's screens as it does, and no option reads as its state.

    "Niet beschikbaar" is how Home Assistant shows an unavailable entity: the select's
    option that lets no phone ring must not read the same.
    """
    strings = translations("nl")
    option = strings["entity"]["select"]["phone_that_rings"]["state"]["not_available"]
    assert option != HOME_ASSISTANT_NL["unavailable"]
    assert "bloot" not in json.dumps(strings).lower()
    assert "Apparaten & diensten" not in json.dumps(strings, ensure_ascii=False)


@pytest.mark.parametrize(
    ("language", "missed", "list_name"),
    [
        ("en", "missed call", "missed calls"),
        ("nl", "gemist gesprek", "gemiste gesprekken"),
    ],
)
def test_one_word_for_a_missed_call(language: str, missed: str, list_name: str) -> None:
    """The logbook, the calendar and the to-do list name a missed call the same way."""
    strings = translations(language)
    assert missed in strings["common"]["phone_missed"].lower()
    assert missed in strings["common"]["calendar_missed"].lower()
    todo = strings["entity"]["todo"]["missed_calls"]["name"]
    assert todo.lower() == list_name


def test_quality_scale() -> None:
    """Test the quality scale names every rule; each exemption says why."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text("utf-8"))[
        "rules"
    ]

    assert set(rules) == QUALITY_SCALE_RULES
    for name, rule in rules.items():
        if isinstance(rule, str):
            assert rule == "done", name
            continue
        assert set(rule) == {"status", "comment"}, name
        assert rule["status"] in ("done", "exempt", "todo"), name
        assert rule["comment"], name
    assert rules["docs-conditions"] == "done"
    assert rules["docs-triggers"] == "done"


def test_validate_workflow() -> None:
    """Test the repository runs hassfest and the HACS action on every change and daily."""
    workflow = yaml.safe_load(
        (REPOSITORY / ".github" / "workflows" / "validate.yaml").read_text("utf-8")
    )
    # YAML 1.1 reads the key "on" as true.
    triggers = workflow.get("on", workflow.get(True))
    steps = {
        step["uses"].split("@")[0]: step
        for job in workflow["jobs"].values()
        for step in job["steps"]
    }

    assert set(triggers) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    assert triggers["schedule"][0]["cron"]
    assert "home-assistant/actions/hassfest" in steps
    assert steps["hacs/action"]["with"] == {"category": "integration"}
