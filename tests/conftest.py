"""Fixtures of the Click to dial tests: a real simulator of the platform on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from unittest.mock import PropertyMock, patch

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

# Import this repository's integration before Home Assistant looks for custom
# integrations, so the tests load it rather than a copy in the testing config.
import custom_components.clicktodial  # noqa: F401
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Account, Simulator

from .helpers import ACCOUNT_UUID, SECOND_EMAIL, SECOND_TOKEN, account_entry
from .notification_helpers import (
    account_entry as notification_entry,
    async_setup,
    reachable_home_assistant,
)
from .timing import FrozenClock, TimeDriver

pytest_plugins = ["tests.secrets_guard"]

SECOND_UUID = "00000000-0000-4000-8000-000000000002"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom integrations in every test."""


@pytest.fixture(autouse=True)
def moved_time_is_not_slowness(request: pytest.FixtureRequest) -> None:
    """Keep asyncio's debug mode from reporting moved time as slow callbacks."""
    if "freezer" in request.fixturenames:
        hass: HomeAssistant = request.getfixturevalue("hass")
        hass.loop.slow_callback_duration = 3600


@pytest.fixture
def driver(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> TimeDriver:
    """Move time from timer to timer (the test freezes time)."""
    return TimeDriver(hass, FrozenClock(hass, freezer))


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Register every entity enabled, also those disabled by default (as core's tests do)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return Home Assistant's snapshot extension."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
async def simulator(
    hass: HomeAssistant, socket_enabled: None
) -> AsyncGenerator[Simulator]:
    """Serve a simulated platform with one user account on 127.0.0.1.

    Its clock is Home Assistant's event loop clock, so moved time moves the calls too.
    """
    sim = Simulator(clock=hass.loop.time, wall_clock=dt_util.utcnow)
    sim.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def account(simulator: Simulator) -> Account:
    """Return the simulator's user account."""
    return simulator.accounts[DEFAULT_EMAIL]


@pytest.fixture
def mock_config_entry(simulator: Simulator) -> MockConfigEntry:
    """Return a config entry for the simulator's account."""
    return account_entry(simulator.url, unique_id=ACCOUNT_UUID)


@pytest.fixture
def second_entry(simulator: Simulator) -> MockConfigEntry:
    """Add a second account to the simulator and return a config entry for it."""
    simulator.add_account(SECOND_EMAIL, SECOND_TOKEN, first_name="Second")
    return account_entry(
        simulator.url,
        SECOND_EMAIL,
        SECOND_TOKEN,
        title="Second User",
        unique_id=SECOND_UUID,
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration for the simulator's account."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
async def init_second_integration(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up the integration for a second account, after the first one."""
    second_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second_entry.entry_id)
    await hass.async_block_till_done()
    return second_entry


@pytest.fixture
def no_log_secrets(caplog: pytest.LogCaptureFixture) -> Generator[None]:
    """Fail when the API token or the account email reaches a log record."""
    yield
    for record in caplog.records:
        text = record.getMessage()
        assert DEFAULT_TOKEN not in text, record
        assert DEFAULT_EMAIL not in text, record


@pytest.fixture
async def client(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Serve Home Assistant on 127.0.0.1, its own external URL (call notifications)."""
    return await reachable_home_assistant(hass, hass_client_no_auth)


@pytest.fixture
def entry(simulator: Simulator, request: pytest.FixtureRequest) -> MockConfigEntry:
    """Return the simulator's account, following its calls (unless parametrized False)."""
    return notification_entry(simulator, notifications=getattr(request, "param", True))


@pytest.fixture
async def loaded(
    hass: HomeAssistant, client: TestClient, entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the account of ``entry`` up, subscribed to call notifications."""
    await async_setup(hass, entry)
    return entry
