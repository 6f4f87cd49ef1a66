"""Tests of the config, reauth, reconfigure and options flows against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
from functools import partial
import logging
import socket
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import ThreadedResolver
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import pytest_socket

from custom_components.clicktodial.const import (
    CONF_A_NUMBER,
    CONF_API_TOKEN,
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    CONF_CALL_NOTIFICATIONS,
    CONF_SHOW_COLLEAGUES,
    CONF_WHOLE_COMPANY,
    DOMAIN,
)
from custom_components.clicktodial.voipgrid import VoipgridClient
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, InvalidData
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Account, Fault, Simulator

from .timing import FrozenClock, turns_until

ACCOUNT_UUID = "00000000-0000-4000-8000-000000000001"
OTHER_EMAIL = "other@example.com"
OTHER_TOKEN = "other-token"
PARTNER_EMAIL = "partner@example.com"
PARTNER_TOKEN = "ptoken"

# How to provoke an error: change the simulator and return the form fields to change.
type Provoke = Callable[[Simulator], dict[str, str]]


@pytest.fixture(autouse=True)
def local_resolver() -> Generator[None]:
    """Resolve host names such as localhost on the test's own event loop.

    The test plugin shares one DNS resolver bound to the session's loop, which cannot
    resolve anything in a test's loop.
    """

    def _make_resolver(hass: HomeAssistant) -> ThreadedResolver:
        resolver = ThreadedResolver()
        resolver.real_close = resolver.close  # type: ignore[attr-defined]
        return resolver

    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        side_effect=_make_resolver,
    ):
        yield


@pytest.fixture
def allow_loopback(socket_enabled: None) -> None:
    """Let the test connect to every loopback address used here, not only 127.0.0.1."""
    pytest_socket.socket_allow_hosts(["127.0.0.1", "127.0.0.2", "::1"])


@pytest.fixture
async def ipv6_simulator(
    simulator: Simulator, allow_loopback: None
) -> AsyncGenerator[Simulator]:
    """Serve a second simulator, with the same account, on the IPv6 loopback [::1]."""
    sim = Simulator()
    sim.add_account(DEFAULT_EMAIL, DEFAULT_TOKEN)
    await sim.start(host="::1")
    yield sim
    await sim.stop()


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Replace the set-up of a created entry, so only the flow is tested."""
    with patch(
        "custom_components.clicktodial.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def unused_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_of(simulator: Simulator) -> int:
    """Return the port the simulator serves on."""
    return int(simulator.url.rsplit(":", 1)[1])


def user_input(simulator: Simulator, **changes: str) -> dict[str, str]:
    """Return the form fields of the simulator's default account, with changes."""
    return {
        CONF_URL: simulator.url,
        CONF_EMAIL: DEFAULT_EMAIL,
        CONF_API_TOKEN: DEFAULT_TOKEN,
        **changes,
    }


def suggested_values(result: FlowResult) -> dict[str, Any]:
    """Return the values a form suggests, by field."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


def fields(result: FlowResult) -> list[str]:
    """Return the fields of a form."""
    return [str(key) for key in result["data_schema"].schema]


def inject(endpoint: str, fault: Fault, times: int = 1) -> Provoke:
    """Return a provocation that injects a fault and changes no field."""

    def _provoke(simulator: Simulator) -> dict[str, str]:
        simulator.inject(endpoint, fault, times)
        return {}

    return _provoke


def partner(simulator: Simulator) -> dict[str, str]:
    """Add a partner account and use its credentials."""
    simulator.add_account(PARTNER_EMAIL, PARTNER_TOKEN, partner=True)
    return {CONF_EMAIL: PARTNER_EMAIL, CONF_API_TOKEN: PARTNER_TOKEN}


def refused(simulator: Simulator) -> dict[str, str]:
    """Use a URL where nothing listens."""
    return {CONF_URL: f"http://127.0.0.1:{unused_port()}"}


def url(value: str) -> Provoke:
    """Return a provocation that uses this URL ({port} is the simulator's port)."""
    return lambda simulator: {CONF_URL: value.format(port=port_of(simulator))}


INVALID_URL = ({CONF_URL: "invalid_url"}, False)

# (how to provoke, expected errors, whether the platform was asked)
CREDENTIAL_ERRORS = [
    pytest.param(
        lambda simulator: {CONF_API_TOKEN: "wrong-token"},
        {"base": "invalid_auth"},
        True,
        id="wrong_token",
    ),
    pytest.param(
        lambda simulator: {CONF_EMAIL: "nobody@example.com"},
        {"base": "invalid_auth"},
        True,
        id="wrong_email",
    ),
    pytest.param(
        inject("profile", Fault.http(403, {"detail": "Forbidden."})),
        {"base": "invalid_auth"},
        True,
        id="forbidden",
    ),
    pytest.param(refused, {"base": "cannot_connect"}, False, id="connection_refused"),
    pytest.param(
        inject("profile", Fault.http(500)), {"base": "cannot_connect"}, True, id="500"
    ),
    pytest.param(
        inject("profile", Fault.malformed()),
        {"base": "cannot_connect"},
        True,
        id="malformed_json",
    ),
    pytest.param(
        inject("profile", Fault.http(200, {"email": DEFAULT_EMAIL})),
        {"base": "cannot_connect"},
        True,
        id="profile_without_id",
    ),
    pytest.param(
        inject("profile", Fault.http(404, {"detail": "Not found."})),
        {"base": "cannot_connect"},
        True,
        id="404",
    ),
    pytest.param(
        inject("profile", Fault.rate_limited()),
        {"base": "cannot_connect"},
        True,
        id="rate_limited",
    ),
    pytest.param(
        inject("profile", Fault.connection_reset(), times=2),
        {"base": "cannot_connect"},
        True,
        id="connection_reset",
    ),
    pytest.param(partner, {"base": "no_click_to_dial"}, True, id="partner"),
    pytest.param(
        inject("profile", Fault.http(400, "x")), {"base": "unknown"}, True, id="400"
    ),
]

URL_ERRORS = [
    pytest.param(url("not a url"), *INVALID_URL, id="not_a_url"),
    pytest.param(url(""), *INVALID_URL, id="empty"),
    pytest.param(url("ftp://x"), *INVALID_URL, id="ftp"),
    pytest.param(url("127.0.0.1:{port}"), *INVALID_URL, id="no_scheme"),
    pytest.param(url("http://example.com"), *INVALID_URL, id="http_not_loopback"),
    pytest.param(url("http://192.168.1.10:{port}"), *INVALID_URL, id="http_lan"),
    pytest.param(url("https://"), *INVALID_URL, id="no_host"),
    pytest.param(url("https://h/?a=1"), *INVALID_URL, id="query"),
    pytest.param(url("https://h/#top"), *INVALID_URL, id="fragment"),
    pytest.param(url("https://u@h"), *INVALID_URL, id="user"),
    pytest.param(url("https://u:p@h"), *INVALID_URL, id="user_password"),
    pytest.param(url("http://127.0.0.1:{port}/?a=1"), *INVALID_URL, id="local_query"),
    pytest.param(url("http://[::1"), *INVALID_URL, id="broken_ipv6"),
]


def typed(**changes: str) -> Provoke:
    """Return a provocation that types these values into the form."""
    return lambda simulator: changes


REQUIRED = "required"
# Refused by the form itself, without asking the platform.
INPUT_ERRORS = [
    pytest.param(typed(email="   "), {CONF_EMAIL: REQUIRED}, False, id="blank_email"),
    pytest.param(typed(api_token=""), {CONF_API_TOKEN: REQUIRED}, False, id="no_token"),
    pytest.param(
        typed(email=" ", api_token="\t"),
        {CONF_EMAIL: REQUIRED, CONF_API_TOKEN: REQUIRED},
        False,
        id="blank_both",
    ),
    pytest.param(
        typed(url="ftp://x", email=""),
        {CONF_URL: "invalid_url", CONF_EMAIL: REQUIRED},
        False,
        id="bad_url_and_blank_email",
    ),
    pytest.param(
        typed(email=f"{DEFAULT_EMAIL}\r\nX-Injected: 1"),
        {"base": "invalid_auth"},
        False,
        id="newline_in_email",
    ),
    pytest.param(
        typed(api_token=f"{DEFAULT_TOKEN}\x00"),
        {"base": "invalid_auth"},
        False,
        id="nul_in_token",
    ),
    pytest.param(
        typed(api_token=f"{DEFAULT_TOKEN[:3]}\t{DEFAULT_TOKEN[3:]}"),
        {"base": "invalid_auth"},
        False,
        id="tab_in_token",
    ),
    pytest.param(
        typed(api_token=f"{DEFAULT_TOKEN}\x7f"),
        {"base": "invalid_auth"},
        False,
        id="delete_in_token",
    ),
    pytest.param(
        typed(email=f"{DEFAULT_EMAIL}\x1b"),
        {"base": "invalid_auth"},
        False,
        id="escape_in_email",
    ),
    pytest.param(
        typed(api_token=f"{DEFAULT_TOKEN}\ud800"),
        {"base": "invalid_auth"},
        False,
        id="surrogate_in_token",
    ),
]

USER_ERRORS = CREDENTIAL_ERRORS + URL_ERRORS + INPUT_ERRORS


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Check nothing was logged with a traceback."""
    assert not [record for record in caplog.records if record.exc_info]


async def test_user(
    hass: HomeAssistant, simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """The user adds the simulator's account."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    assert fields(result) == [CONF_URL, CONF_EMAIL, CONF_API_TOKEN]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            simulator,
            url=f" {simulator.url}/ ",
            email=f" {DEFAULT_EMAIL} ",
            api_token=f" {DEFAULT_TOKEN} ",
        ),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo User"
    assert result["data"] == {
        CONF_URL: simulator.url,
        CONF_EMAIL: DEFAULT_EMAIL,
        CONF_API_TOKEN: DEFAULT_TOKEN,
    }
    assert result["result"].unique_id == ACCOUNT_UUID
    assert not result["data"][CONF_URL].endswith("/")
    assert simulator.count("profile", DEFAULT_EMAIL) == 1
    assert mock_setup_entry.call_count == 1


async def test_user_default_url(hass: HomeAssistant) -> None:
    """The form offers the platform's own URL by default."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    url_key = next(key for key in result["data_schema"].schema if str(key) == CONF_URL)
    assert url_key.default() == "https://api.voipgrid.nl"


@pytest.mark.parametrize(
    ("profile", "title"),
    [
        (
            {"id": 1, "uuid": ACCOUNT_UUID, "email": "profile@example.com"},
            "profile@example.com",
        ),
        ({"id": 1, "uuid": ACCOUNT_UUID}, DEFAULT_EMAIL),
        (
            {"id": 1, "first_name": "Jan", "preposition": "van", "last_name": "Dijk"},
            "Jan van Dijk",
        ),
    ],
    ids=["email", "entered_email", "full_name"],
)
async def test_user_title(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    profile: dict[str, Any],
    title: str,
) -> None:
    """Without a name the title is the profile's email, else the one entered."""
    simulator.inject("profile", Fault.http(200, {**profile, "client": "/c/1/"}))
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == title
    assert result["result"].unique_id == (profile.get("uuid") or "1")


@pytest.mark.parametrize(("provoke", "errors", "asked"), USER_ERRORS)
async def test_user_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
    *,
    provoke: Provoke,
    errors: dict[str, str],
    asked: bool,
) -> None:
    """Each error shows the form again with its key; the right input then succeeds."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    changes = provoke(simulator)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **changes)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    assert (simulator.count("profile") > 0) is asked
    assert_no_traceback(caplog)
    wrong = user_input(simulator, **changes)
    assert suggested_values(result) == {
        CONF_URL: wrong[CONF_URL],
        CONF_EMAIL: wrong[CONF_EMAIL],
    }
    assert mock_setup_entry.call_count == 0

    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo User"
    assert result["data"][CONF_URL] == simulator.url
    assert result["result"].unique_id == ACCOUNT_UUID
    assert mock_setup_entry.call_count == 1


@pytest.mark.parametrize(
    "entered",
    ["http://:secret@127.0.0.1:{port}", "https://:secret@partner.voys.co"],
    ids=["loopback", "https"],
)
async def test_user_url_with_password(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    entered: str,
) -> None:
    """A URL with a password in it is an invalid URL, even without a user name."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, url=entered.format(port=port_of(simulator))),
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "invalid_url"}


async def test_user_timeout(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A platform that does not answer in time cannot be connected to.

    In moved time: only moved time makes the answer late, however busy the machine is.
    """
    answer = asyncio.Event()
    simulator.inject("profile", Fault.held(answer))
    with patch(
        "custom_components.clicktodial.config_flow.VoipgridClient",
        partial(VoipgridClient, request_timeout=0.2),
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        configuring = hass.async_create_task(
            hass.config_entries.flow.async_configure(
                result["flow_id"], user_input(simulator)
            )
        )
        await simulator.received("profile")
        FrozenClock(hass, freezer).move(0.25)
        assert await turns_until(configuring.done)
        answer.set()
        result = configuring.result()
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": "cannot_connect"}

        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator)
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_unexpected_error(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception is an unknown error and is logged."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with patch.object(VoipgridClient, "get_profile", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator)
        )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking the credentials" in caplog.text

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("http://localhost:{port}", "http://localhost:{port}"),
        ("HTTP://LOCALHOST:{port}/", "http://localhost:{port}"),
        ("http://127.0.0.1:{port}", "http://127.0.0.1:{port}"),
        ("http://127.0.0.1:{port}//", "http://127.0.0.1:{port}"),
    ],
    ids=["localhost", "localhost_upper_case", "ip", "double_slash"],
)
async def test_user_loopback_urls(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    entered: str,
    stored: str,
) -> None:
    """Plain http is accepted for this machine, by name or address."""
    port = port_of(simulator)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, url=entered.format(port=port))
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == stored.format(port=port)
    assert simulator.count("profile", DEFAULT_EMAIL) == 1


async def test_user_ipv6_loopback(
    hass: HomeAssistant, ipv6_simulator: Simulator, mock_setup_entry: AsyncMock
) -> None:
    """Plain http is accepted for the IPv6 loopback address."""
    entered = f"http://[::1]:{port_of(ipv6_simulator)}"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(ipv6_simulator, url=f"{entered}/")
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == entered
    assert result["result"].unique_id == ACCOUNT_UUID
    assert ipv6_simulator.count("profile", DEFAULT_EMAIL) == 1


@pytest.mark.usefixtures("allow_loopback")
@pytest.mark.parametrize(
    "entered",
    [
        "http://[::1]:{free}",
        "http://[::1]",
        "http://127.0.0.2:{free}",
        "https://127.0.0.1:{free}",
        "https://localhost:{free}",
    ],
    ids=[
        "ipv6_loopback",
        "ipv6_loopback_no_port",
        "other_loopback",
        "https",
        "https_localhost",
    ],
)
async def test_user_accepted_urls(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_setup_entry: AsyncMock,
    entered: str,
) -> None:
    """Other usable URL forms are tried (nothing listens there), not refused."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, url=entered.format(free=unused_port())),
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert simulator.count() == 0

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    "entered",
    ["{url}", "http://localhost:{port}/"],
    ids=["same_url", "other_url"],
)
async def test_user_already_configured(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    entered: str,
) -> None:
    """The same account cannot be added twice, even through another URL."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(
            simulator, url=entered.format(url=simulator.url, port=port_of(simulator))
        ),
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert mock_config_entry.data[CONF_URL] == simulator.url
    assert mock_setup_entry.call_count == 0


async def test_user_second_account(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Another account on the same platform is added as its own entry."""
    mock_config_entry.add_to_hass(hass)
    simulator.add_account(OTHER_EMAIL, OTHER_TOKEN, first_name="Other")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, email=OTHER_EMAIL, api_token=OTHER_TOKEN),
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Other User"
    assert result["result"].unique_id == "00000000-0000-4000-8000-000000000002"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


# -- reauth ----------------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
) -> None:
    """A new token is asked for, checked, stored and the entry reloaded."""
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    account.token = "new-token"

    result = await entry.start_reauth_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["email"] == DEFAULT_EMAIL
    assert fields(result) == [CONF_API_TOKEN]
    assert suggested_values(result) == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: DEFAULT_TOKEN}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    assert fields(result) == [CONF_API_TOKEN]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: " new-token "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert dict(entry.data) == {
        CONF_URL: simulator.url,
        CONF_EMAIL: DEFAULT_EMAIL,
        CONF_API_TOKEN: "new-token",
    }
    assert entry.unique_id == ACCOUNT_UUID
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_wrong_account(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """A token of another account is refused and the entry is left alone."""
    mock_config_entry.add_to_hass(hass)
    # The email now belongs to a new account of the platform, with another uuid.
    simulator.add_account(DEFAULT_EMAIL, OTHER_TOKEN)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: OTHER_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert simulator.count("profile") == 1
    assert mock_config_entry.data[CONF_API_TOKEN] == DEFAULT_TOKEN
    assert mock_config_entry.unique_id == ACCOUNT_UUID


@pytest.mark.parametrize(
    ("provoke", "errors", "asked"),
    [
        pytest.param(
            lambda simulator: {CONF_API_TOKEN: "wrong-token"},
            {"base": "invalid_auth"},
            True,
            id="wrong_token",
        ),
        pytest.param(
            inject("profile", Fault.http(403)),
            {"base": "invalid_auth"},
            True,
            id="forbidden",
        ),
        pytest.param(
            inject("profile", Fault.http(500)),
            {"base": "cannot_connect"},
            True,
            id="500",
        ),
        pytest.param(
            inject("profile", Fault.malformed()),
            {"base": "cannot_connect"},
            True,
            id="malformed_json",
        ),
        pytest.param(
            inject(
                "profile",
                Fault.http(200, {"id": 1, "uuid": ACCOUNT_UUID, "client": None}),
            ),
            {"base": "no_click_to_dial"},
            True,
            id="partner",
        ),
        pytest.param(
            inject("profile", Fault.http(400, "x")),
            {"base": "unknown"},
            True,
            id="400",
        ),
        pytest.param(
            typed(api_token="  "), {CONF_API_TOKEN: REQUIRED}, False, id="blank_token"
        ),
        pytest.param(
            typed(api_token=f"{DEFAULT_TOKEN}\n{DEFAULT_TOKEN}"),
            {"base": "invalid_auth"},
            False,
            id="newline_in_token",
        ),
        pytest.param(
            typed(api_token=f"{DEFAULT_TOKEN}\x00"),
            {"base": "invalid_auth"},
            False,
            id="nul_in_token",
        ),
    ],
)
async def test_reauth_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
    *,
    provoke: Provoke,
    errors: dict[str, str],
    asked: bool,
) -> None:
    """Each reauth error shows the form again; the right token then succeeds."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    changes = provoke(simulator)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: changes.get(CONF_API_TOKEN, DEFAULT_TOKEN)}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == errors
    assert result["description_placeholders"]["email"] == DEFAULT_EMAIL
    assert (simulator.count("profile") > 0) is asked
    assert_no_traceback(caplog)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: DEFAULT_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


async def test_reauth_unexpected_error(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """An unexpected exception during reauth is an unknown error."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    with patch.object(VoipgridClient, "get_profile", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_TOKEN: DEFAULT_TOKEN}
        )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: DEFAULT_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


# -- reconfigure -----------------------------------------------------------------------


async def test_reconfigure(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
) -> None:
    """The URL and token are changed for the same account and the entry reloaded."""
    entry = init_integration
    account.token = "rotated-token"
    localhost = f"http://localhost:{port_of(simulator)}"

    result = await entry.start_reconfigure_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    assert fields(result) == [CONF_URL, CONF_EMAIL, CONF_API_TOKEN]
    assert suggested_values(result) == {
        CONF_URL: simulator.url,
        CONF_EMAIL: DEFAULT_EMAIL,
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, url=f"{localhost}/", api_token="rotated-token"),
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.data) == {
        CONF_URL: localhost,
        CONF_EMAIL: DEFAULT_EMAIL,
        CONF_API_TOKEN: "rotated-token",
    }
    assert entry.unique_id == ACCOUNT_UUID
    assert entry.title == "Demo User"
    assert entry.state is ConfigEntryState.LOADED
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reconfigure_wrong_account(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Credentials of another account are refused and the entry is left alone."""
    mock_config_entry.add_to_hass(hass)
    simulator.add_account(OTHER_EMAIL, OTHER_TOKEN)
    data = dict(mock_config_entry.data)
    result = await mock_config_entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, email=OTHER_EMAIL, api_token=OTHER_TOKEN),
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert simulator.count("profile", OTHER_EMAIL) == 1
    assert dict(mock_config_entry.data) == data
    assert mock_setup_entry.call_count == 0


@pytest.mark.parametrize(("provoke", "errors", "asked"), USER_ERRORS)
async def test_reconfigure_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    caplog: pytest.LogCaptureFixture,
    *,
    provoke: Provoke,
    errors: dict[str, str],
    asked: bool,
) -> None:
    """Each error shows the form again with the input kept; the right one succeeds."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    changes = provoke(simulator)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **changes)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == errors
    assert (simulator.count("profile") > 0) is asked
    assert_no_traceback(caplog)
    wrong = user_input(simulator, **changes)
    assert suggested_values(result) == {
        CONF_URL: wrong[CONF_URL],
        CONF_EMAIL: wrong[CONF_EMAIL],
    }
    assert mock_config_entry.data[CONF_URL] == simulator.url

    simulator.clear_faults()
    localhost = f"http://localhost:{port_of(simulator)}"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, url=localhost)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_URL] == localhost


# -- options ---------------------------------------------------------------------------


async def test_options_defaults(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The options form starts empty with auto-answer left to the platform."""
    mock_config_entry.add_to_hass(hass)

    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {}
    assert fields(result) == [
        CONF_A_NUMBER,
        CONF_B_CLI,
        CONF_AUTO_ANSWER,
        CONF_CALL_NOTIFICATIONS,
        CONF_WHOLE_COMPANY,
        CONF_SHOW_COLLEAGUES,
    ]
    assert suggested_values(result) == {}
    auto_answer = next(
        key for key in result["data_schema"].schema if str(key) == CONF_AUTO_ANSWER
    )
    assert auto_answer.default() == "platform"

    result = await hass.config_entries.options.async_configure(result["flow_id"], {})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {CONF_AUTO_ANSWER: "platform"}


async def test_options_suggest_current(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The current options are suggested; leaving a field empty removes it."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=ACCOUNT_UUID,
        data=user_input(simulator),
        options={
            CONF_A_NUMBER: "201",
            CONF_B_CLI: "default_number",
            CONF_AUTO_ANSWER: "on",
        },
    )
    entry.add_to_hass(hass)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert suggested_values(result) == {
        CONF_A_NUMBER: "201",
        CONF_B_CLI: "default_number",
        CONF_AUTO_ANSWER: "on",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_A_NUMBER: "", CONF_AUTO_ANSWER: "off"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_AUTO_ANSWER: "off"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {CONF_A_NUMBER: "+31 (0)50 800 9000", CONF_AUTO_ANSWER: "on"},
            {CONF_A_NUMBER: "+31508009000", CONF_AUTO_ANSWER: "on"},
        ),
        (
            {
                CONF_A_NUMBER: " 201 ",
                CONF_B_CLI: "0031 50-800.9000",
                CONF_AUTO_ANSWER: "off",
            },
            {CONF_A_NUMBER: "201", CONF_B_CLI: "+31508009000", CONF_AUTO_ANSWER: "off"},
        ),
        (
            {CONF_B_CLI: " default_number ", CONF_AUTO_ANSWER: "platform"},
            {CONF_B_CLI: "default_number", CONF_AUTO_ANSWER: "platform"},
        ),
        (
            {CONF_A_NUMBER: "", CONF_B_CLI: "   ", CONF_AUTO_ANSWER: "off"},
            {CONF_AUTO_ANSWER: "off"},
        ),
        ({CONF_AUTO_ANSWER: "on"}, {CONF_AUTO_ANSWER: "on"}),
    ],
    ids=["trunk_prefix", "extension_and_00", "default_number", "empty", "omitted"],
)
async def test_options(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    options: dict[str, str],
    expected: dict[str, str],
) -> None:
    """Numbers are stored cleaned up; empty fields are left out."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == expected
    assert mock_config_entry.options == expected


@pytest.mark.parametrize(
    ("options", "errors"),
    [
        ({CONF_A_NUMBER: "default_number"}, {CONF_A_NUMBER: "invalid_number"}),
        ({CONF_A_NUMBER: "call me"}, {CONF_A_NUMBER: "invalid_number"}),
        ({CONF_A_NUMBER: "0"}, {CONF_A_NUMBER: "invalid_number"}),
        ({CONF_B_CLI: "+"}, {CONF_B_CLI: "invalid_number"}),
        ({CONF_B_CLI: "Default number"}, {CONF_B_CLI: "invalid_number"}),
        (
            {CONF_A_NUMBER: "abc", CONF_B_CLI: "12345678901"},
            {CONF_A_NUMBER: "invalid_number", CONF_B_CLI: "invalid_number"},
        ),
        (
            {CONF_A_NUMBER: "201", CONF_B_CLI: "x"},
            {CONF_B_CLI: "invalid_number"},
        ),
    ],
    ids=[
        "a_number_default_number",
        "a_number_letters",
        "a_number_zero",
        "b_cli_plus",
        "b_cli_words",
        "both",
        "b_cli_only",
    ],
)
async def test_options_invalid_number(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    options: dict[str, str],
    errors: dict[str, str],
) -> None:
    """An invalid number is an error on its own field; a valid one then succeeds."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_AUTO_ANSWER: "on"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == errors
    assert suggested_values(result) == {**options, CONF_AUTO_ANSWER: "on"}
    assert mock_config_entry.options == {}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_A_NUMBER: "202", CONF_B_CLI: "default_number", CONF_AUTO_ANSWER: "on"},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        CONF_A_NUMBER: "202",
        CONF_B_CLI: "default_number",
        CONF_AUTO_ANSWER: "on",
    }


async def test_options_auto_answer_choices(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Auto-answer is one of platform, on and off."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_AUTO_ANSWER: "maybe"}
        )

    for choice in ("platform", "on", "off"):
        result = await hass.config_entries.options.async_init(
            mock_config_entry.entry_id
        )
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_AUTO_ANSWER: choice}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert mock_config_entry.options == {CONF_AUTO_ANSWER: choice}


# -- secrets ---------------------------------------------------------------------------


async def test_no_secrets_in_logs(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the token nor the email reach the logs, even at debug level."""
    caplog.set_level(logging.DEBUG)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, api_token="wrong-token")
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].state is ConfigEntryState.LOADED
    assert simulator.count("profile") >= 2
    assert caplog.records
    for record in caplog.records:
        for text in (record.getMessage(), record.exc_text or ""):
            assert DEFAULT_TOKEN not in text, record
            assert "wrong-token" not in text, record
            assert DEFAULT_EMAIL not in text, record
    assert DEFAULT_TOKEN not in caplog.text
    assert DEFAULT_EMAIL not in caplog.text
