"""Fixtures of the Click to dial tests: a real simulator of the platform on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
import os
from pathlib import Path
import shutil
import tempfile
from typing import Any
from unittest.mock import PropertyMock, patch

import aiohttp
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

# Import this repository's integration before Home Assistant looks for custom
# integrations, so the tests load it rather than a copy in the testing config.
import custom_components.clicktodial  # noqa: F401
from custom_components.clicktodial.voipgrid import VoipgridClient
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Account, Simulator

from .helpers import (
    ACCOUNT_UUID,
    SECOND_EMAIL,
    SECOND_TOKEN,
    ClientFactory,
    account_entry,
    install_blueprints,
)
from .notification_helpers import async_setup, reachable_home_assistant
from .timing import FrozenClock, TimeDriver

pytest_plugins = ["tests.secrets_guard"]

# Hypothesis, for every test module: $CLICKTODIAL_FUZZ_EXAMPLES examples per test (150),
# the same ones on every run (CI never meets a new one by chance), no deadline (each
# example talks to a real server), fixtures shared by the examples of a test, and the
# example database and caches out of the work tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "clicktodial-hypothesis")
settings.register_profile(
    "clicktodial",
    max_examples=int(os.environ.get("CLICKTODIAL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("clicktodial")

SECOND_UUID = "00000000-0000-4000-8000-000000000002"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the config dir; quiet a false alarm of Hypothesis."""
    config.addinivalue_line(
        "markers",
        "hass_config(blueprints=False, files=None): Home Assistant's config dir is a "
        "temporary copy of the testing config with this repository's blueprints and "
        "these files (relative path: text)",
    )
    # Its own global Random "could be garbage collected": its reference count check
    # misses that a thread-local keeps it.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:It looks like `register_random` was passed an object"
        ":hypothesis.errors.HypothesisWarning",
    )


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
def hass_config_dir(hass_tmp_config_dir: str, request: pytest.FixtureRequest) -> str:
    """Give each test a config dir of its own, with what the ``hass_config`` marker asks.

    A copy of the testing config, which is shared (by every test run of the machine's
    environment): Home Assistant adds its own blueprints to a config dir without any,
    and those of the shared one would reach the copies of later runs.
    """
    config_dir = Path(hass_tmp_config_dir)
    shutil.rmtree(config_dir / "blueprints", ignore_errors=True)
    marker = request.node.get_closest_marker("hass_config")
    if marker is None:
        return str(config_dir)
    if marker.kwargs.get("blueprints"):
        install_blueprints(config_dir)
    for name, text in marker.kwargs.get("files", {}).items():
        path = config_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(config_dir)


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
    return account_entry(simulator, unique_id=ACCOUNT_UUID, notifications=False)


@pytest.fixture
def second_entry(simulator: Simulator) -> MockConfigEntry:
    """Add a second account to the simulator and return a config entry for it."""
    simulator.add_account(SECOND_EMAIL, SECOND_TOKEN, first_name="Second")
    return account_entry(
        simulator,
        SECOND_EMAIL,
        SECOND_TOKEN,
        title="Second User",
        unique_id=SECOND_UUID,
        notifications=False,
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
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """Return a plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(simulator: Simulator, session: aiohttp.ClientSession) -> ClientFactory:
    """Return a factory of platform clients of the simulator (default account unless told)."""

    def _make(
        *,
        base_url: str | None = None,
        email: str = DEFAULT_EMAIL,
        api_token: str = DEFAULT_TOKEN,
        **kwargs: Any,
    ) -> VoipgridClient:
        return VoipgridClient(
            session,
            base_url=simulator.url if base_url is None else base_url,
            email=email,
            api_token=api_token,
            **kwargs,
        )

    return _make


@pytest.fixture
def api_client(make_client: ClientFactory) -> VoipgridClient:
    """Return a platform client of the simulator's default account, on a plain session."""
    return make_client()


@pytest.fixture
def entry(simulator: Simulator, request: pytest.FixtureRequest) -> MockConfigEntry:
    """Return the simulator's account, following its calls (unless parametrized False)."""
    return account_entry(simulator, notifications=getattr(request, "param", True))


@pytest.fixture
async def loaded(
    hass: HomeAssistant, client: TestClient, entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the account of ``entry`` up, subscribed to call notifications."""
    await async_setup(hass, entry)
    return entry
