"""Property-based tests of the call notification webhook: whatever is POSTed, nothing breaks.

Bodies of every kind are POSTed over HTTP to the account's real webhook: notifications
built the way the platform writes them (must get 200), the same with one field this
client reads given a wrong type or left out (400), JSON that is no object (400), bodies
over 64 KiB (413), and arbitrary bytes and text (either). Never a 500, and a body refused
changes no state at all: no entity's state is written.

Then sequences of notifications of a few calls, repeated, late and out of order, through
the pure state: each call fires its first event and its end at most once, in that order,
and the phone's state always follows from the calls not ended.

The number of examples per test is ``CLICKTODIAL_FUZZ_EXAMPLES`` (default 150), as in
``tests/test_fuzz.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Coroutine
import json
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import given, note, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.clicktodial.pushed.state import (
    CallEventType,
    NotifiedCalls,
    PhoneState,
)
from custom_components.clicktodial.voipgrid import Direction, Notification
from homeassistant.core import Event, HomeAssistant
from simulator import Simulator

from .notification_helpers import (
    MISSED_CALLS,
    account_entry,
    async_setup,
    reachable_home_assistant,
    webhook_path,
)

# As many as the profile of tests/conftest.py says ($CLICKTODIAL_FUZZ_EXAMPLES).
EXAMPLES = settings().max_examples
MAX_BODY = 64 * 1024

STATUSES = ["created", "ringing", "in-progress", "answered", "ended", "warm-transfer"]
REASONS = ["", "completed", "no-answer", "busy", "answered-elsewhere", "cancelled"]
# Values of any JSON type.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
NOT_STRINGS = JSON_VALUES.filter(lambda value: not isinstance(value, str))
SHORT_TEXT = st.text(max_size=30)


@st.composite
def notifications(draw: st.DrawFn) -> dict[str, Any]:
    """Return a notification as the platform writes it (fields may be null or left out)."""
    body: dict[str, Any] = {
        "call_id": draw(st.text(min_size=1, max_size=40).filter(str.strip)),
        "status": draw(st.sampled_from(STATUSES) | SHORT_TEXT),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "timestamp": st.sampled_from(
            ["2026-11-28T12:00:00+00:00", "2026-11-28T12:00:00.123456+01:00", "later"]
        )
        | st.none(),
        "direction": st.sampled_from(["inbound", "outbound", "internal"]) | st.none(),
        "reason": st.sampled_from(REASONS) | st.none(),
        "version": JSON_VALUES,
        "caller": st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "number": st.none() | SHORT_TEXT,
                "name": st.none() | SHORT_TEXT,
                "account_number": JSON_VALUES,
                "user_numbers": JSON_VALUES,
            },
        ),
        "destination": st.none()
        | st.fixed_dictionaries(
            {},
            optional={"number": st.none() | SHORT_TEXT, "targets": JSON_VALUES},
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    return body


# The fields this client reads, and where: (path,) at the top or (object, field).
READ_FIELDS = [
    ("call_id",),
    ("status",),
    ("timestamp",),
    ("direction",),
    ("reason",),
    ("caller", "number"),
    ("caller", "name"),
    ("destination", "number"),
]


@st.composite
def wrong_types(draw: st.DrawFn) -> dict[str, Any]:
    """Return a notification with one field this client reads wrong, or left out."""
    body = draw(notifications())
    path = draw(st.sampled_from([*READ_FIELDS, ("caller",), ("destination",)]))
    if path in (("call_id",), ("status",)) and draw(st.booleans()):
        del body[path[0]]
        return body
    if len(path) == 1:
        wrong = NOT_STRINGS if path[0] not in ("caller", "destination") else None
        if wrong is None:
            # An object expected: anything else that is not null.
            body[path[0]] = draw(
                JSON_VALUES.filter(lambda v: v is not None and not isinstance(v, dict))
            )
        else:
            body[path[0]] = draw(wrong.filter(lambda v: v is not None))
        return body
    outer, inner = path
    if not isinstance(body.get(outer), dict):
        body[outer] = {}
    body[outer][inner] = draw(NOT_STRINGS.filter(lambda v: v is not None))
    return body


def encode(body: Any) -> bytes:
    """Return a body as JSON bytes."""
    return json.dumps(body).encode()


BODIES = st.one_of(
    notifications().map(lambda body: ("good", encode(body))),
    wrong_types().map(lambda body: ("wrong_type", encode(body))),
    JSON_VALUES.filter(lambda value: not isinstance(value, dict)).map(
        lambda value: ("not_object", encode(value))
    ),
    notifications().map(
        lambda body: ("too_large", encode({**body, "padding": "x" * MAX_BODY}))
    ),
    st.binary(max_size=200).map(lambda raw: ("free", raw)),
    st.text(max_size=100).map(lambda text: ("free", text.encode())),
    st.sampled_from(
        [b"[" * 5000, b'{"call_id": "c", "status": "ringing"' + b" " * MAX_BODY + b"}"]
    ).map(lambda raw: ("free", raw)),
)
EXPECTED = {"good": {200}, "wrong_type": {400}, "not_object": {400}, "too_large": {413}}


def run[T](hass: HomeAssistant, coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on Home Assistant's loop (the test itself is not a coroutine)."""
    return hass.loop.run_until_complete(coro)


@pytest.fixture
async def webhook(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: Simulator,
) -> tuple[TestClient, str]:
    """Set up an account following its calls; return the client and webhook path."""
    client = await reachable_home_assistant(hass, hass_client_no_auth)
    await async_setup(hass, account_entry(simulator))
    return client, webhook_path(simulator)


@pytest.mark.freeze_time
def test_webhook_bodies(
    hass: HomeAssistant, simulator: Simulator, webhook: tuple[TestClient, str]
) -> None:
    """Any body gets 200, 400 or 413 as it deserves; a refused one changes nothing.

    The clock stands still: however long the examples take, no read falls due (a pushed
    end reads the call history 5 s later).
    """
    client, path = webhook
    stats: Counter[str] = Counter()
    written: list[Event[Any]] = []
    hass.bus.async_listen("state_changed", written.append)

    async def post(body: bytes) -> int:
        response = await client.post(
            path, data=body, headers={"Content-Type": "application/json"}
        )
        await response.read()
        await hass.async_block_till_done()
        return response.status

    @given(BODIES)
    def check(generated: tuple[str, bytes]) -> None:
        kind, body = generated
        written.clear()
        todo_before = hass.states.get(MISSED_CALLS).state
        status = run(hass, post(body))
        note(f"{kind}: {body[:200]!r} -> {status}")
        assert status in (200, 400, 413), status
        if kind in EXPECTED:
            assert status in EXPECTED[kind], (kind, status)
        if status != 200:
            assert written == [], "a refused body changed a state"
            assert hass.states.get(MISSED_CALLS).state == todo_before
        stats[f"{kind}_{status}"] += 1

    check()
    print(stats)  # noqa: T201 - shown with -s
    for key in ("good_200", "wrong_type_400", "not_object_400", "too_large_413"):
        assert stats[key] >= EXAMPLES * 0.05, stats
    assert simulator.count("subscribe") == 1  # the handler asked the platform nothing
    # The profile, which phone rings (and is online), the call history, the call
    # queues, the caller-ID numbers and the subscription, all at setup.
    assert [r.endpoint for r in simulator.requests] == [
        "profile",
        "get_destinations",
        "phone_accounts",
        "call_history_v2",
        "queues",
        "caller_ids",
        "subscribe",
    ]


# -- sequences through the pure state ------------------------------------------------------

CALL_IDS = ["a", "b", "c"]


@st.composite
def sequences(draw: st.DrawFn) -> list[tuple[Notification, float]]:
    """Return notifications of up to three calls, repeated, late and out of order."""
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CALL_IDS),
                st.sampled_from([*STATUSES, "cold-transfer", "on-hold"]),
                st.sampled_from(REASONS),
                st.floats(0, 500, allow_nan=False),
            ),
            max_size=25,
        )
    )
    directions = {
        call_id: draw(st.sampled_from(["inbound", "outbound", None]))
        for call_id in CALL_IDS
    }
    now = 0.0
    out = []
    for call_id, status, reason, gap in steps:
        now += gap
        body = {
            "call_id": call_id,
            "status": status,
            "reason": reason,
            "direction": directions[call_id],
            "caller": {"number": "+31612345678"},
        }
        out.append((Notification.from_json(body), now))
    return out


@given(sequences())
def test_each_call_fires_once(steps: list[tuple[Notification, float]]) -> None:
    """Each call fires its first event, answer and end at most once, in that order."""
    # Nothing is silent long enough to be forgotten within a sequence (25 x 500 s).
    calls = NotifiedCalls(forget_after=20_000, ring_forget_after=20_000)
    fired: dict[str, list[CallEventType]] = {}
    for notification, now in steps:
        assert calls.forget_silent(now) == []
        for event in calls.apply(notification, now):
            assert event.call.call_id == notification.call_id
            fired.setdefault(event.call.call_id, []).append(event.type)
        state, shown = calls.phone
        active = [call for call in calls.calls if not call.ended]
        if any(call.answered for call in active):
            assert state is PhoneState.IN_CALL
            assert shown is not None
            assert shown.answered
        elif any(call.direction is Direction.INBOUND and call.rings for call in active):
            assert state is PhoneState.RINGING
            assert shown is not None
            assert shown.direction is Direction.INBOUND
        else:
            assert (state, shown) == (PhoneState.IDLE, None)
    note(str(fired))
    for events in fired.values():
        counts = Counter(events)
        assert all(count == 1 for count in counts.values()), events
        assert counts[CallEventType.ENDED] + counts[CallEventType.MISSED] <= 1
        assert counts[CallEventType.INCOMING] + counts[CallEventType.OUTGOING] <= 1
        if CallEventType.MISSED in counts:
            assert CallEventType.ANSWERED not in counts
        order = [
            CallEventType.INCOMING,
            CallEventType.OUTGOING,
            CallEventType.ANSWERED,
            CallEventType.ENDED,
            CallEventType.MISSED,
        ]
        assert events == sorted(events, key=order.index)
