"""No API token or account email in anything Home Assistant shows.

The guard in ``tests/secrets_guard.py`` scans the logs, events (so every entity state and
attribute), action errors and responses, and flow errors of every test in the suite.
These tests show that it really catches a leak, and scan what the guard does not:
diagnostics (downloaded as a user would), the states and repair issues left at the end,
and the saved calls, after a session with two accounts, platform faults and a revoked
token.
"""

from __future__ import annotations

import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.clicktodial.const import CONF_API_TOKEN, DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant, ServiceCall, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Fault, Simulator

from .helpers import advance
from .secrets_guard import (
    INTEGRATION_LOGGER,
    SECOND_EMAIL,
    SECOND_TOKEN,
    SECRETS,
    SecretsGuard,
    find_secrets,
)


def _record(
    msg: str, *args: Any, exc: BaseException | None = None
) -> logging.LogRecord:
    """Build a log record as a logger call would."""
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord(
        INTEGRATION_LOGGER, logging.DEBUG, __file__, 1, msg, args, exc_info
    )


def _raised(err: BaseException) -> BaseException:
    """Return ``err`` after raising it, so it has a traceback."""
    try:
        raise err
    except BaseException as caught:  # noqa: BLE001 - any exception is returned
        return caught


def test_secrets_are_both_accounts() -> None:
    """The guard looks for both accounts' tokens and emails, and nothing else."""
    assert set(SECRETS) == {DEFAULT_TOKEN, SECOND_TOKEN, DEFAULT_EMAIL, SECOND_EMAIL}
    assert find_secrets("Token demo@example.com:demo-token") == [
        DEFAULT_TOKEN,
        DEFAULT_EMAIL,
    ]
    assert find_secrets("Demo User, call 00010001c0ffee to +31508009899") == []


@pytest.mark.parametrize("secret", SECRETS)
def test_guard_flags_crafted_log_records(secret: str) -> None:
    """A secret in a log message, its arguments, exception or stack is flagged."""
    guard = SecretsGuard()
    assert guard.scan_record(_record("Calling %s", "+31508009899")) == []

    assert guard.scan_record(_record(f"Authorization: Token {secret}")) == [secret]
    assert guard.scan_record(_record("Header %s", f"Token {secret}")) == [secret]
    cause = _raised(ValueError(f"bad header {secret}"))
    err = HomeAssistantError("Cannot reach the platform")
    err.__cause__ = cause
    assert guard.scan_record(_record("Failed", exc=_raised(err))) == [secret]
    stacked = _record("Here")
    stacked.stack_info = f'File "x.py", line 1, in f\n    login("{secret}")'
    assert guard.scan_record(stacked) == [secret]
    broken = _record("Two %s %s", secret)  # a log call with too few arguments
    assert guard.scan_record(broken) == [secret]

    assert len(guard.hits) == 5
    assert all(secret in hit for hit in guard.hits)
    assert guard.hits[0].startswith(f"log record {INTEGRATION_LOGGER}:DEBUG: ")
    assert guard.scanned["log"] == 6


@pytest.mark.parametrize("secret", SECRETS)
def test_guard_flags_crafted_states_events_exceptions(secret: str) -> None:
    """A secret in a state, an attribute, an event or an exception chain is flagged."""
    guard = SecretsGuard()
    clean = State("sensor.demo_user_call_status", "connected", {"call_id": "1"})
    assert guard.scan_state(clean) == []
    assert guard.scan_event("state_changed", {"new_state": clean}) == []
    assert guard.scan_exception("action", HomeAssistantError("boom")) == []

    leaky = State("sensor.demo_user_call_status", "connected", {"account": secret})
    assert guard.scan_state(leaky) == [secret]
    assert guard.scan_state(State("sensor.x", secret[:255])) == [secret]
    assert guard.scan_event("state_changed", {"new_state": leaky}) == [secret]
    assert guard.scan_event("clicktodial_call", {"by": secret}) == [secret]
    wrapped = HomeAssistantError("Cannot reach the platform")
    wrapped.__cause__ = ValueError(secret)
    assert guard.scan_exception("action", wrapped) == [secret]
    invalid = ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_b_number",
        translation_placeholders={"number": secret},
    )
    assert secret in guard.scan_exception("action", invalid)
    assert guard.scan_data("diagnostics", {"entry": {"data": [secret]}}) == [secret]
    assert guard.scan_data("diagnostics", {"unserialisable": {secret}}) == [secret]
    assert len(guard.hits) >= 8
    assert secret in guard.report()


async def test_guard_is_live(hass: HomeAssistant, secrets_guard: SecretsGuard) -> None:
    """In a real test the guard sees debug logs, states, events and action errors."""
    assert logging.getLogger(INTEGRATION_LOGGER).isEnabledFor(logging.DEBUG)

    logging.getLogger(INTEGRATION_LOGGER).debug("Using token %s", DEFAULT_TOKEN)
    assert [DEFAULT_TOKEN in hit for hit in secrets_guard.hits] == [True]

    hass.states.async_set("sensor.leak", "ok", {"email": DEFAULT_EMAIL})
    assert any(DEFAULT_EMAIL in hit for hit in secrets_guard.hits[1:])
    hits = len(secrets_guard.hits)

    hass.bus.async_fire("clicktodial_test", {"token": SECOND_TOKEN})
    await hass.async_block_till_done()
    assert any(SECOND_TOKEN in hit for hit in secrets_guard.hits[hits:])
    hits = len(secrets_guard.hits)

    async def _leak(call: ServiceCall) -> None:
        raise HomeAssistantError(f"The platform refused {SECOND_EMAIL}")

    hass.services.async_register("clicktodial_test", "leak", _leak)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("clicktodial_test", "leak", {}, blocking=True)
    assert any(SECOND_EMAIL in hit for hit in secrets_guard.hits[hits:])

    assert secrets_guard.scanned["log"] >= 1
    assert secrets_guard.scanned["event"] >= 2
    assert secrets_guard.scanned["action"] >= 1
    # These leaks were made on purpose: forget them, so that this test passes.
    secrets_guard.hits.clear()


async def test_no_secrets_anywhere(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    init_integration: MockConfigEntry,
    secrets_guard: SecretsGuard,
    init_second_integration: MockConfigEntry,
) -> None:
    """Two accounts, faults, rejected calls and a revoked token: nothing shows a secret."""
    second = init_second_integration
    entries = (init_integration, second)

    async def call(entry: MockConfigEntry, **data: Any) -> Any:
        return await hass.services.async_call(
            DOMAIN,
            "call",
            {
                "b_number": "+31508009899",
                "config_entry_id": entry.entry_id,
                "force": True,
                **data,
            },
            blocking=True,
            return_response=True,
        )

    for entry in entries:
        await call(entry)
    # Every kind of platform fault while the calls are followed.
    simulator.inject("get_call", Fault.http(500, {"detail": "boom"}), times=2)
    simulator.inject("get_call", Fault.malformed())
    simulator.inject("get_call", Fault.connection_reset(), times=2)
    simulator.inject("get_call", Fault.rate_limited("5"))
    await advance(hass, freezer, 15, step=0.5)
    # Calls that are refused, by the platform or before anything is sent.
    simulator.inject("start_call", Fault.http(400, {"detail": "Bad request."}))
    simulator.inject("start_call", Fault.rate_limited("3"))
    simulator.inject("start_call", Fault.http(503))
    for _ in range(3):
        with pytest.raises(HomeAssistantError):
            await call(init_integration)
    with pytest.raises(ServiceValidationError):
        await call(init_integration, b_number="call me")
    # The second account's token is revoked while its call is followed.
    await call(second)
    simulator.accounts[SECOND_EMAIL].revoked = True
    await advance(hass, freezer, 5, step=0.5)
    with pytest.raises(HomeAssistantError):
        await call(second)
    await advance(hass, freezer, 60, step=1)
    [reauth] = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert reauth["context"]["entry_id"] == second.entry_id
    # The one place an email is shown on purpose (not scanned): the reauth form says
    # whose token to re-enter.
    form = await hass.config_entries.flow.async_configure(reauth["flow_id"])
    assert form["description_placeholders"]["email"] == SECOND_EMAIL

    # Diagnostics, downloaded as a user would, of both accounts.
    for entry in entries:
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
        assert diagnostics["entry"]["data"][CONF_API_TOKEN] == "**REDACTED**"
        assert (
            secrets_guard.scan_data(f"diagnostics of {entry.title}", diagnostics) == []
        )
    # Every state left, every repair issue (the reauth one), the saved calls.
    states = hass.states.async_all()
    assert {"sensor.demo_user_call_status", "event.second_user_call"} <= {
        state.entity_id for state in states
    }
    for state in states:
        assert secrets_guard.scan_state(state) == []
    issues = ir.async_get(hass).issues
    assert issues
    for issue in issues.values():
        assert secrets_guard.scan_data(f"repair issue {issue.issue_id}", issue) == []
    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for entry in entries:
        saved = hass_storage[f"{DOMAIN}.{entry.entry_id}"]
        assert secrets_guard.scan_data(f"saved calls of {entry.title}", saved) == []

    # The guard saw the whole session (debug logs included), and nothing leaked.
    assert secrets_guard.scanned["log"] > 20
    assert secrets_guard.scanned["event"] > 20
    assert secrets_guard.scanned["action"] >= 4  # the refused calls' errors
    assert secrets_guard.hits == []
