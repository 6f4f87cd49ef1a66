"""Helpers shared by the Click to dial tests, the soak test and the benchmark."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import contextlib
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_API_TOKEN,
    CONF_CALL_NOTIFICATIONS,
    DOMAIN,
)
from custom_components.clicktodial.voipgrid import (
    CallStatus,
    VoipgridClient,
    parse_status,
)
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import Blueprint
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import CONF_EMAIL, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
from homeassistant.util import yaml as yaml_util
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Simulator, Timeline

from .timing import FrozenClock, TimeDriver, block_till_done

ACCOUNT_UUID = "00000000-0000-4000-8000-000000000001"
SECOND_EMAIL = "second@example.com"
SECOND_TOKEN = "second-token"
NUMBER = "+31508009899"
# Makes platform clients of the simulator (the ``make_client`` fixture).
type ClientFactory = Callable[..., VoipgridClient]
BLUEPRINT_DIR = (
    Path(__file__).parent.parent / "blueprints" / "automation" / "clicktodial"
)


def install_blueprints(config_dir: Path) -> Path:
    """Put a fresh copy of this repository's blueprints in a config dir; return where.

    Whatever is there already (a copy of an earlier run or a user's, a link to this
    repository) is replaced, never merged with nor written through.
    """
    target = config_dir / "blueprints" / "automation" / "clicktodial"
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for source in BLUEPRINT_DIR.glob("*.yaml"):
        shutil.copy(source, target / source.name)
    return target


async def advance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    step: float = 0.1,
    *,
    settle: Callable[[HomeAssistant], Awaitable[None]] = block_till_done,
) -> None:
    """Move time forward in small steps, letting every due timer and poll run."""
    driver = TimeDriver(hass, FrozenClock(hass, freezer), settle)
    await driver.advance(seconds, step)


def account_entry(
    simulator: Simulator,
    email: str = DEFAULT_EMAIL,
    token: str = DEFAULT_TOKEN,
    *,
    title: str = "Demo User",
    unique_id: str = ACCOUNT_UUID,
    notifications: bool = True,
) -> MockConfigEntry:
    """Return a config entry of an account of the simulator, following all its calls.

    With ``notifications=False``, the account follows only the calls started here.
    """
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=unique_id,
        data={CONF_URL: simulator.url, CONF_EMAIL: email, CONF_API_TOKEN: token},
        options={CONF_CALL_NOTIFICATIONS: True} if notifications else {},
    )


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, *platforms: Platform
) -> None:
    """Add an account and set it up, with only ``platforms`` when any are named.

    Call it after the test froze time, so that timers use the frozen clock.
    """
    entry.add_to_hass(hass)
    only = (
        patch("custom_components.clicktodial.PLATFORMS", list(platforms))
        if platforms
        else contextlib.nullcontext()
    )
    with only:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state (it must have one)."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def start_call(hass: HomeAssistant, number: str = NUMBER, **extra: Any) -> str:
    """Start a call through the ``clicktodial.call`` action and return its id.

    Forced: the tests start calls to one number back to back, which a person may not.
    """
    response = await hass.services.async_call(
        DOMAIN,
        "call",
        {"b_number": number, "force": True, **extra},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return str(response["call_id"])


def timeline_changes(timeline: Timeline) -> list[tuple[float, CallStatus]]:
    """Return the status changes a timeline makes, as the integration shows them."""
    changes: list[tuple[float, CallStatus]] = []
    for offset, raw in timeline:
        status = parse_status(raw)
        if status is None or (changes and changes[-1][1] is status):
            continue
        changes.append((offset, status))
    return changes


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    """Return the reauthentication flows in progress for an entry."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["handler"] == DOMAIN
        and flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]


def checked_blueprint(path: str, name: str) -> Blueprint:
    """Load an automation blueprint of this repository and check what each one must be.

    Valid for this Home Assistant, named ``name``, its source this repository's file,
    every input declared and used, named, described and with a selector that builds.
    """
    data = yaml_util.load_yaml_dict(BLUEPRINT_DIR / path)
    blueprint = Blueprint(
        data,
        path=path,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None
    metadata = blueprint.metadata
    assert metadata["name"] == name
    assert metadata["description"].strip()
    assert metadata["homeassistant"]["min_version"] == "2026.10.0"
    assert metadata["source_url"] == (
        "https://github.com/clicktodial/clicktodial/blob/main/"
        f"blueprints/automation/clicktodial/{path}"
    )
    assert yaml_util.extract_inputs(data) == set(blueprint.inputs)
    for input_name, spec in blueprint.inputs.items():
        assert spec["name"].strip(), input_name
        assert spec["description"].strip(), input_name
        selector.selector(spec["selector"])
    return blueprint
