"""Tests of the pushed calls' state, without Home Assistant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.clicktodial.pushed.state import (
    FORGET_AFTER,
    MissedCall,
    MissedCalls,
    NotifiedCalls,
    PhoneState,
    missed_call_summary,
)
from custom_components.clicktodial.voipgrid import Notification
from simulator import Simulator

CALLER = "+31612345678"
ACCOUNT = "+31508009000"
WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def notification(
    status: str,
    call_id: str = "c1",
    *,
    direction: str | None = "inbound",
    reason: str = "",
    caller: str | None = CALLER,
    name: str | None = "Bakker | Voys",
) -> Notification:
    """Return a notification of a call."""
    data: dict[str, Any] = {
        "call_id": call_id,
        "status": status,
        "direction": direction,
        "reason": reason,
        "caller": {"number": caller, "name": name},
        "destination": {"number": ACCOUNT},
    }
    return Notification.from_json(data)


def play(calls: NotifiedCalls, *statuses: str, **kwargs: Any) -> list[str]:
    """Apply notifications of one call; return the event types."""
    events = []
    for spec in statuses:
        status, _, reason = spec.partition(":")
        events += calls.apply(notification(status, reason=reason, **kwargs), now=0)
    return [event.type.value for event in events]


@pytest.mark.parametrize(
    ("statuses", "direction", "events"),
    [
        (
            ["created", "ringing", "ringing", "in-progress", "ended:completed"],
            "inbound",
            ["incoming", "answered", "ended"],
        ),
        (["created", "ringing", "ended:no-answer"], "inbound", ["incoming", "missed"]),
        (["ringing", "ended:cancelled"], "inbound", ["incoming", "missed"]),
        (["ringing", "ended:busy"], "inbound", ["incoming", "missed"]),
        (["ringing", "ended:rejected"], "inbound", ["incoming", "missed"]),
        (["ringing", "ended:failed"], "inbound", ["incoming", "missed"]),
        (["ringing", "ended"], "inbound", ["incoming", "missed"]),
        (
            ["ringing", "ended:answered-elsewhere"],
            "inbound",
            ["incoming", "ended"],
        ),
        # Answered without an answered notification that reached us: not missed.
        (["ringing", "ended:completed"], "inbound", ["incoming", "ended"]),
        # Answered, whatever the reason of the end says.
        (
            ["ringing", "answered", "ended:failed"],
            "inbound",
            ["incoming", "answered", "ended"],
        ),
        (
            ["ringing", "in-progress", "ended:completed"],
            "outbound",
            ["outgoing", "answered", "ended"],
        ),
        (["ringing", "ended:no-answer"], "outbound", ["outgoing", "ended"]),
        (["ringing", "in-progress", "ended:completed"], None, ["answered", "ended"]),
        (["ringing", "ended:no-answer"], "internal", ["ended"]),
    ],
)
def test_events(statuses: list[str], direction: str | None, events: list[str]) -> None:
    """Test each call fires its first event, its answer and its end once."""
    assert play(NotifiedCalls(), *statuses, direction=direction) == events


@pytest.mark.parametrize(
    ("statuses", "events"),
    [
        # The same notification several times.
        (
            [
                *("created", "created", "ringing", "ringing"),
                *("in-progress", "in-progress", "ended:completed", "ended:completed"),
            ],
            ["incoming", "answered", "ended"],
        ),
        # Late: a ringing after the end, an answer after the end.
        (
            ["ringing", "ended:no-answer", "ringing", "in-progress", "ended:completed"],
            ["incoming", "missed"],
        ),
        # Out of order: the end first (its start is never announced after the end).
        (["ended:no-answer", "created", "ringing"], ["missed"]),
        # A created after the ringing, a ringing after the answer.
        (
            ["ringing", "created", "in-progress", "ringing", "ended:completed"],
            ["incoming", "answered", "ended"],
        ),
    ],
)
def test_repeated_and_late(statuses: list[str], events: list[str]) -> None:
    """Test repeated and late notifications change nothing twice."""
    assert play(NotifiedCalls(), *statuses) == events


def test_unknown_status_and_transfer() -> None:
    """Test unknown statuses and transfers fire nothing and start no call."""
    calls = NotifiedCalls()

    assert play(calls, "on-hold", "warm-transfer") == []
    assert calls.calls == []
    assert play(calls, "ringing", "warm-transfer", "hold", "cold-transfer") == [
        "incoming"
    ]
    assert calls.phone[0] is PhoneState.RINGING


def test_event_attributes() -> None:
    """Test an event names the call, the caller and, at the end, the reason."""
    calls = NotifiedCalls()
    first = calls.apply(notification("created", name=None), now=0)
    calls.apply(notification("ringing"), now=1)
    end = calls.apply(notification("ended", reason="no-answer"), now=2)

    assert first[0].attributes() == {
        "call_id": "c1",
        "direction": "inbound",
        "caller_number": CALLER,
        "caller_name": "",
        "other_number": CALLER,
        "other_name": "",
        "destination_number": ACCOUNT,
    }
    # The platform's name came with the ringing.
    assert end[0].attributes() == {
        "call_id": "c1",
        "direction": "inbound",
        "caller_number": CALLER,
        "caller_name": "Bakker | Voys",
        "other_number": CALLER,
        "other_name": "Bakker | Voys",
        "destination_number": ACCOUNT,
        "reason": "no-answer",
    }


def test_missing_fields_filled_later() -> None:
    """Test numbers missing on the first notification are taken from later ones."""
    calls = NotifiedCalls()
    calls.apply(
        Notification.from_json(
            {"call_id": "c1", "status": "created", "direction": "inbound"}
        ),
        now=0,
    )
    events = calls.apply(notification("ended", reason="busy"), now=1)

    assert events[0].call.caller_number == CALLER
    assert events[0].call.destination_number == ACCOUNT


def test_contact_name_first() -> None:
    """Test a contact's name comes before the platform's."""
    calls = NotifiedCalls(name_of=lambda number: "Alice" if number == CALLER else None)

    events = calls.apply(notification("ringing"), now=0)
    other = calls.apply(notification("ringing", "c2", caller="+31201234567"), now=0)

    assert events[0].caller_name == "Alice"
    assert other[0].caller_name == "Bakker | Voys"


def test_phone_state() -> None:
    """Test idle, ringing for inbound calls not answered, in a call while answered.

    A call only created rings no phone yet (nor one whose ringing names no phone).
    """
    calls = NotifiedCalls()
    assert calls.phone == (PhoneState.IDLE, None)

    calls.apply(notification("created", "in1"), now=0)
    assert calls.phone == (PhoneState.IDLE, None)
    body = notification("ringing", "in1")
    calls.apply(replace(body, targets=()), now=0)
    assert calls.phone == (PhoneState.IDLE, None)
    calls.apply(body, now=0)
    assert calls.phone[0] is PhoneState.RINGING
    calls.apply(notification("ringing", "out1", direction="outbound"), now=0)
    state, call = calls.phone
    assert state is PhoneState.RINGING
    assert call is not None
    assert call.call_id == "in1"  # outgoing calls never ring

    calls.apply(notification("ringing", "in2"), now=0)
    assert calls.phone[1].call_id == "in2"  # type: ignore[union-attr]

    calls.apply(notification("in-progress", "out1", direction="outbound"), now=0)
    assert calls.phone[0] is PhoneState.IN_CALL
    assert calls.phone[1].call_id == "out1"  # type: ignore[union-attr]
    calls.apply(notification("in-progress", "in1"), now=0)
    assert calls.phone[1].call_id == "in1"  # type: ignore[union-attr]

    calls.apply(notification("ended", "in1", reason="completed"), now=0)
    assert calls.phone[1].call_id == "out1"  # type: ignore[union-attr]
    calls.apply(notification("ended", "out1", reason="completed"), now=0)
    assert calls.phone[0] is PhoneState.RINGING  # in2 still rings
    calls.apply(notification("ended", "in2", reason="cancelled"), now=0)
    assert calls.phone == (PhoneState.IDLE, None)


def test_forget_after_silence() -> None:
    """Test a call whose end never comes is forgotten after 4 hours of silence."""
    calls = NotifiedCalls()
    calls.apply(notification("ringing", "c1"), now=0)
    calls.apply(notification("in-progress", "c1"), now=100)
    calls.apply(notification("ringing", "c2"), now=50)
    calls.apply(notification("ended", "c2", reason="no-answer"), now=60)

    assert calls.next_forget() == 60 + FORGET_AFTER
    assert calls.forget_silent(60 + FORGET_AFTER - 1) == []
    assert calls.forget_silent(60 + FORGET_AFTER) == []  # c2 had ended
    assert [call.call_id for call in calls.calls] == ["c1"]
    assert calls.phone[0] is PhoneState.IN_CALL

    # A transfer or an unknown status is a sign of life too.
    calls.apply(notification("warm-transfer", "c1"), now=200)
    assert calls.next_forget() == 200 + FORGET_AFTER
    forgotten = calls.forget_silent(200 + FORGET_AFTER)
    assert [call.call_id for call in forgotten] == ["c1"]
    assert calls.phone == (PhoneState.IDLE, None)
    assert calls.next_forget() is None

    # Forgotten: a late end is a call seen first at its end.
    assert play(calls, "ended:completed") == ["ended"]


def test_at_most_max_calls() -> None:
    """Test ended calls make room first, then the oldest."""
    calls = NotifiedCalls(max_calls=3)
    play(calls, "ringing", call_id="a")
    play(calls, "ringing", "ended:no-answer", call_id="b")
    play(calls, "ringing", call_id="c")
    play(calls, "ringing", call_id="d")
    assert [call.call_id for call in calls.calls] == ["a", "c", "d"]
    play(calls, "ringing", call_id="e")
    assert [call.call_id for call in calls.calls] == ["c", "d", "e"]


@pytest.mark.parametrize(
    ("script", "events"),
    [
        ("answered", ["incoming", "answered", "ended"]),
        ("missed", ["incoming", "missed"]),
        ("cancelled", ["incoming", "missed"]),
        ("answered_elsewhere", ["incoming", "ended"]),
        ("duplicates", ["incoming", "answered", "ended"]),
        ("out_of_order", ["incoming", "missed"]),
        ("outgoing", ["outgoing", "answered", "ended"]),
        ("outgoing_unanswered", ["outgoing", "ended"]),
    ],
)
def test_simulator_scripts(script: str, events: list[str]) -> None:
    """Test the simulator's scripts give the events they describe."""
    calls = NotifiedCalls()
    seen = []
    for at, body in Simulator().notifications(script):
        seen += [e.type.value for e in calls.apply(Notification.from_json(body), at)]

    assert seen == events
    assert calls.phone[0] is PhoneState.IDLE


# -- missed calls ------------------------------------------------------------------------


def missed(uid: str, *, done: bool = False) -> MissedCall:
    """Return a missed call item."""
    return MissedCall(
        uid=uid,
        summary=f"Caller {uid}",
        done=done,
        checked_off=done,
        call_id=f"call-{uid}",
        caller_number=CALLER,
        caller_name="",
        missed_at=WHEN,
    )


@pytest.mark.parametrize(
    ("name", "number", "summary"),
    [
        ("Alice", CALLER, f"Alice ({CALLER})"),
        ("", CALLER, CALLER),
        ("Alice", None, "Alice"),
        ("", None, "Unknown caller"),
    ],
)
def test_missed_call_summary(name: str, number: str | None, summary: str) -> None:
    """Test the summary names the caller by name and number, as far as known."""
    assert missed_call_summary(name, number, "Unknown caller") == summary


def test_missed_calls_at_most_100() -> None:
    """Test the oldest checked-off item goes first, then the oldest open one."""
    items = MissedCalls(max_items=3)
    items.add(missed("1"))
    items.add(missed("2", done=True))
    items.add(missed("3", done=True))
    items.add(missed("4"))
    assert [item.uid for item in items.items] == ["1", "3", "4"]
    items.add(missed("5"))
    assert [item.uid for item in items.items] == ["1", "4", "5"]
    items.add(missed("6"))
    assert [item.uid for item in items.items] == ["4", "5", "6"]
    assert items.open_count == 3


def test_missed_calls_edit() -> None:
    """Test items are found, checked off and deleted."""
    items = MissedCalls()
    items.add(missed("1"))
    items.add(missed("2"))

    item = items.get("1")
    assert item is not None
    item.done = True
    assert items.open_count == 1
    assert items.get("3") is None
    items.remove(["2", "3"])
    assert [item.uid for item in items.items] == ["1"]


def test_missed_calls_stored() -> None:
    """Test items survive storing; unreadable ones are skipped, the newest 100 kept."""
    items = MissedCalls()
    items.add(missed("1", done=True))
    items.add(missed("2"))

    restored = MissedCalls(max_items=2)
    restored.restore(
        [
            {"uid": "0", "summary": "x", "call_id": "c", "missed_at": WHEN.isoformat()},
            *items.as_stored(),
            {"uid": "bad"},
            {"uid": "3", "summary": "x", "call_id": "c", "missed_at": "?"},
        ]
    )

    assert [item.as_dict() for item in restored.items] == items.as_stored()
