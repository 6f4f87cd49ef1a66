"""Tests of the translations, icons and manifest of the Click to dial integration."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

import pytest
import yaml

from custom_components.clicktodial import config_flow
from custom_components.clicktodial.const import AUTO_ANSWER_OPTIONS, DOMAIN
from custom_components.clicktodial.errors import flow_error
from custom_components.clicktodial.services import SERVICE_CALL_SCHEMA
from custom_components.clicktodial.voipgrid import (
    CallStatus,
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridInvalidRequestError,
    VoipgridResponseError,
)
from homeassistant.helpers.selector import SelectSelector

INTEGRATION = Path(__file__).parent.parent / "custom_components" / DOMAIN
LANGUAGES = ("en", "nl")

_TRANSLATION_KEY = re.compile(r'translation_key="([^"]+)"')
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
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(INTEGRATION.glob("*.py"))
    }
    assert "services.py" in sources
    return sources


def calls_with_keyword(tree: ast.AST, keyword: str) -> Iterator[ast.Call]:
    """Yield every call in a syntax tree that passes a literal string ``keyword``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(
            kw.arg == keyword
            and isinstance(kw.value, ast.Constant)
            and isinstance(kw.value.value, str)
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


def exception_keys() -> dict[str, set[str]]:
    """Return the translation keys raised in the code with their placeholder names."""
    found: dict[str, set[str]] = {}
    for name, source in python_sources().items():
        for call in calls_with_keyword(ast.parse(source, name), "translation_key"):
            key = keyword_value(call, "translation_key")
            assert isinstance(key, ast.Constant)
            names = dict_keys(keyword_value(call, "translation_placeholders"))
            assert found.setdefault(key.value, names) == names, key.value
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
        for key in _TRANSLATION_KEY.findall(source)
    }

    assert by_regex == set(exception_keys())


@pytest.mark.parametrize("language", LANGUAGES)
def test_exception_translations(language: str) -> None:
    """Test every exception raised has a message with the placeholders it is given."""
    exceptions = translations(language)["exceptions"]
    used = exception_keys()

    assert "invalid_number" in used  # the search finds what the code raises
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
        for key in _ATTR_TRANSLATION_KEY.findall(source):
            used.add((name.removesuffix(".py"), key))

    assert ("sensor", "call_status") in used  # the search finds what the code uses
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
    }
    assert reasons == {"wrong_account"}
    assert set(strings["config"]["error"]) == config_errors
    # The options and the contacts share the check of the call defaults.
    assert set(strings["options"]["error"]) == {"invalid_number"}
    contact = strings["config_subentries"]["contact"]
    assert set(contact["error"]) == {"invalid_number", "invalid_name"}
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
        ("options", "init"): config_flow.OPTIONS_SCHEMA,
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
    """Test every option of every translated selector of the flows is translated."""
    selectors = translations(language)["selector"]
    used = {
        selector.config["translation_key"]: selector.config["options"]
        for schema in (
            config_flow.USER_SCHEMA,
            config_flow.RECONFIGURE_SCHEMA,
            config_flow.OPTIONS_SCHEMA,
        )
        for selector in schema.schema.values()
        if isinstance(selector, SelectSelector)
        and selector.config.get("translation_key")
    }

    assert used == {"auto_answer": AUTO_ANSWER_OPTIONS}
    assert set(selectors) == set(used)
    for key, options in used.items():
        assert list(selectors[key]["options"]) == options, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_service_translations(language: str) -> None:
    """Test every action and field in services.yaml has a name and a description."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    translated = translations(language)["services"]

    assert set(translated) == set(services) == {"call"}
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
    # Exactly one of b_number and contact is needed: the action checks it, so neither
    # is required on its own.
    assert not any(
        field.get("required") for field in services["call"]["fields"].values()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_call_status_translations(language: str) -> None:
    """Test every call status has a state translation for the sensor and the event."""
    entity = translations(language)["entity"]
    statuses = [status.value for status in CallStatus]

    assert list(entity["sensor"]["call_status"]["state"]) == statuses
    assert (
        list(entity["event"]["call"]["state_attributes"]["event_type"]["state"])
        == statuses
    )


def test_icons() -> None:
    """Test every call status, entity and action has an icon."""
    icons = load_json("icons.json")
    statuses = {status.value for status in CallStatus}

    sensor = icons["entity"]["sensor"]["call_status"]
    assert sensor["default"].startswith("mdi:")
    assert set(sensor["state"]) == statuses
    assert all(icon.startswith("mdi:") for icon in sensor["state"].values())
    assert icons["entity"]["event"]["call"]["default"].startswith("mdi:")
    assert icons["services"]["call"]["service"].startswith("mdi:")


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
