"""A guard on every test: no API token or account email in what Home Assistant shows.

Loaded from ``tests/conftest.py`` (``pytest_plugins``). For every test it scans, as they
happen:

- every log record that reaches the root logger (message, formatted exception and
  stack), with the integration's own logger at DEBUG so its debug output is scanned too;
- every event fired on any Home Assistant event bus, ``state_changed`` included, so every
  entity state and attribute ever written is scanned;
- every exception (and its causes) that leaves an action call or a config, options or
  subentry flow step, and every action response.

It fails the test (in its teardown) on any hit. Config entry data is not scanned: the
config flow stores the email and token there by design, and the reauth form shows the
email in its description. Diagnostics are scanned by ``tests/test_secrets.py``.

The guard starts before the ``hass`` fixture and stops after it, so Home Assistant's
start and stop (unloading entries, saving tracked calls) are scanned as well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
import functools
import json
import logging
import traceback
from typing import Any

import pytest

from homeassistant.core import EventBus, ServiceRegistry, State
from homeassistant.data_entry_flow import FlowManager
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN

from .helpers import SECOND_EMAIL, SECOND_TOKEN

# What must never be shown: both accounts' API tokens and emails.
SECRETS: tuple[str, ...] = (DEFAULT_TOKEN, SECOND_TOKEN, DEFAULT_EMAIL, SECOND_EMAIL)

INTEGRATION_LOGGER = "custom_components.clicktodial"


def find_secrets(text: str) -> list[str]:
    """Return the secrets that occur in ``text``."""
    return [secret for secret in SECRETS if secret in text]


def record_texts(record: logging.LogRecord) -> list[str]:
    """Return every text a log record can show: message, exception and stack."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken log call must still be scanned
        message = f"{record.msg!s} {record.args!r}"
    texts = [message]
    if record.exc_info and record.exc_info[1] is not None:
        texts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.exc_text:
        texts.append(record.exc_text)
    if record.stack_info:
        texts.append(record.stack_info)
    return texts


def _exception_texts(err: BaseException) -> list[str]:
    """Return the texts of an exception and of every exception in its chain."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(f"{type(current).__name__}: {current}")
        texts.append(repr(current.args))
        placeholders = getattr(current, "translation_placeholders", None)
        if placeholders:
            texts.append(repr(placeholders))
        current = current.__cause__ or current.__context__
    return texts


def _data_text(data: Any) -> str:
    """Return a text of arbitrary data (states, events, diagnostics) to scan."""
    try:
        return json.dumps(data, default=repr)
    except TypeError, ValueError:
        return repr(data)


class SecretsGuard:
    """Collect where a secret was seen; ``hits`` is empty while nothing leaked.

    ``scanned`` counts what was scanned, by kind ("log record", "event", ...), so a test
    can check that the guard really saw something.
    """

    def __init__(self) -> None:
        """Start with no hits."""
        self.hits: list[str] = []
        self.scanned: Counter[str] = Counter()

    def _scan(self, where: str, texts: Iterable[str]) -> list[str]:
        """Scan the texts of one thing; return (and remember) the secrets in them.

        The thing is counted under the first word of ``where``.
        """
        self.scanned[where.split(" ", 1)[0]] += 1
        found: dict[str, str] = {}
        for text in texts:
            for secret in find_secrets(text):
                found.setdefault(secret, text)
        for secret, text in found.items():
            at = text.find(secret)
            excerpt = text[max(at - 80, 0) : at + len(secret) + 80]
            self.hits.append(f"{where}: {secret!r} in ...{excerpt}...")
        return list(found)

    def scan_text(self, where: str, text: str) -> list[str]:
        """Scan one text; remember and return the secrets found in it."""
        return self._scan(where, [text])

    def scan_record(self, record: logging.LogRecord) -> list[str]:
        """Scan a log record."""
        where = f"log record {record.name}:{record.levelname}"
        return self._scan(where, record_texts(record))

    def scan_event(self, event_type: str, data: Any) -> list[str]:
        """Scan the payload of an event (for state_changed: both states, attributes)."""
        return self._scan(f"event {event_type}", [f"{event_type} {data!r}"])

    def scan_state(self, state: State) -> list[str]:
        """Scan an entity's state and attributes."""
        return self._scan(f"state of {state.entity_id}", [_data_text(state.as_dict())])

    def scan_exception(self, where: str, err: BaseException) -> list[str]:
        """Scan an exception's text, arguments and placeholders, and its causes."""
        return self._scan(where, _exception_texts(err))

    def scan_data(self, where: str, data: Any) -> list[str]:
        """Scan data such as diagnostics or an action response."""
        return self._scan(where, [_data_text(data)])

    def report(self) -> str:
        """Describe every hit."""
        return "Secrets shown:\n" + "\n".join(self.hits)


class _GuardHandler(logging.Handler):
    """Hand every log record to the guard."""

    def __init__(self, guard: SecretsGuard) -> None:
        super().__init__(logging.NOTSET)
        self.guard = guard

    def emit(self, record: logging.LogRecord) -> None:
        self.guard.scan_record(record)


def _guard_event_bus(
    guard: SecretsGuard, original: Callable[..., None]
) -> Callable[..., None]:
    """Wrap ``EventBus.async_fire_internal``: scan each event before it is fired."""

    @functools.wraps(original)
    def async_fire_internal(
        self: EventBus, event_type: Any, event_data: Any = None, *args: Any, **kw: Any
    ) -> None:
        guard.scan_event(str(event_type), event_data)
        return original(self, event_type, event_data, *args, **kw)

    return async_fire_internal


def _guard_coroutine(
    guard: SecretsGuard, where: str, original: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    """Wrap an async method: scan every exception it raises (and what it returns)."""

    @functools.wraps(original)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            result = await original(*args, **kwargs)
        except Exception as err:
            guard.scan_exception(where, err)
            raise
        if where == "action" and isinstance(result, Mapping):
            guard.scan_data("action response", result)
        return result

    return guarded


@pytest.fixture(autouse=True)
def secrets_guard(monkeypatch: pytest.MonkeyPatch) -> Generator[SecretsGuard]:
    """Fail the test if an account's token or email reaches logs, states or events."""
    guard = SecretsGuard()
    handler = _GuardHandler(guard)
    root = logging.getLogger()
    integration = logging.getLogger(INTEGRATION_LOGGER)
    previous_level = integration.level
    integration.setLevel(logging.DEBUG)
    root.addHandler(handler)
    monkeypatch.setattr(
        EventBus,
        "async_fire_internal",
        _guard_event_bus(guard, EventBus.async_fire_internal),
    )
    monkeypatch.setattr(
        ServiceRegistry,
        "async_call",
        _guard_coroutine(guard, "action", ServiceRegistry.async_call),
    )
    for method in ("async_init", "async_configure"):
        monkeypatch.setattr(
            FlowManager,
            method,
            _guard_coroutine(guard, f"flow {method}", getattr(FlowManager, method)),
        )
    try:
        yield guard
    finally:
        root.removeHandler(handler)
        integration.setLevel(previous_level)
    if guard.hits:
        pytest.fail(guard.report(), pytrace=False)
