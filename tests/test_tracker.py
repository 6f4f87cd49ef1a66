"""Tests of the call-tracking logic alone: no Home Assistant, no HTTP, a hand-moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.clicktodial.calls.tracker import CallTracker, TrackedCall
from custom_components.clicktodial.voipgrid import (
    Call,
    CallStatus,
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
)

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Clock:
    """A monotonic clock and a wall clock that move together, by hand."""

    def __init__(self) -> None:
        """Start at 1000 s and noon."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the monotonic time."""
        return self.now

    def wall(self) -> datetime:
        """Return the wall-clock time."""
        return T0 + timedelta(seconds=self.now - 1000.0)

    def move(self, seconds: float) -> None:
        """Move both clocks."""
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    """Return a clock at its start."""
    return Clock()


@pytest.fixture
def tracker(clock: Clock) -> CallTracker:
    """Return an empty tracker on the hand-moved clock."""
    return CallTracker(clock=clock, wall_clock=clock.wall)


def read(status: str | None, call_id: str = "c1") -> Call:
    """Return a status read as the client makes it."""
    return Call.from_json({"callid": call_id, "status": status, "b_number": "202"})


def test_schedule_of_one_call(tracker: CallTracker, clock: Clock) -> None:
    """First read after 0.5 s, then every second while set up, every 2 s connected."""
    assert tracker.next_poll() is None
    started = tracker.start(read(None), b_number="202", contact="Alice")
    assert started.status is CallStatus.SETTING_UP
    assert started.contact == "Alice"
    assert tracker.next_poll() == 1000.5
    assert tracker.take_due() == []  # not yet

    clock.move(0.5)
    assert tracker.take_due() == ["c1"]
    assert tracker.apply({"c1": read("dialing_a")}).changed
    assert tracker.next_poll() == 1001.5

    clock.move(1)
    tracker.take_due()
    assert tracker.apply({"c1": read("connected")}).changed
    assert tracker.next_poll() == 1003.5

    clock.move(2)
    tracker.take_due()
    assert not tracker.apply({"c1": read("connected")}).changed
    clock.move(2)
    tracker.take_due()
    assert tracker.apply({"c1": read("disconnected")}).changed
    assert tracker.next_poll() is None
    assert tracker.calls == []
    assert tracker.latest is not None
    assert tracker.latest.status is CallStatus.DISCONNECTED
    assert not tracker.latest.tracking

    changes = tracker.take_changes()
    assert [(c.previous, c.call.status) for c in changes] == [
        (None, CallStatus.SETTING_UP),
        (CallStatus.SETTING_UP, CallStatus.DIALING_A),
        (CallStatus.DIALING_A, CallStatus.CONNECTED),
        (CallStatus.CONNECTED, CallStatus.DISCONNECTED),
    ]
    assert tracker.take_changes() == []
    [ended] = tracker.take_ended()
    assert (ended.call_id, ended.status, ended.contact) == (
        "c1",
        CallStatus.DISCONNECTED,
        "Alice",
    )
    assert tracker.take_ended() == []


def test_call_refused_at_once(tracker: CallTracker) -> None:
    """A call whose first answer is final is not followed, and ends at once."""
    call = tracker.start(read("blacklisted"), b_number="202", contact=None)
    assert not call.tracking
    assert tracker.next_poll() is None
    assert [c.call.status for c in tracker.take_changes()] == [CallStatus.BLACKLISTED]
    assert [c.status for c in tracker.take_ended()] == [CallStatus.BLACKLISTED]


def test_backoff_and_unavailable(tracker: CallTracker, clock: Clock) -> None:
    """Failed reads back off 1, 2, 4, 8, 10 s; a minute of them makes it unavailable."""
    tracker.start(read(None), b_number="202", contact=None)
    clock.move(0.5)
    delays = []
    unavailable_after = None
    while unavailable_after is None:
        assert tracker.take_due() == ["c1"]
        result = tracker.apply({"c1": VoipgridConnectionError("down")})
        assert not result.changed
        if result.unavailable:
            unavailable_after = clock.now - 1000.5
            break
        next_poll = tracker.next_poll()
        assert next_poll is not None
        delays.append(next_poll - clock.now)
        clock.move(next_poll - clock.now)
    assert delays[:6] == [1, 2, 4, 8, 10, 10]
    assert unavailable_after >= 60
    # One good read ends the outage and the backoff.
    clock.move(10)
    tracker.take_due()
    result = tracker.apply({"c1": read("dialing_a")})
    assert result.changed
    assert not result.unavailable
    assert tracker.next_poll() == clock.now + 1


def test_rate_limited_read_is_no_failure(tracker: CallTracker, clock: Clock) -> None:
    """A 429 is no failure: the pause is the client's; the platform did answer."""
    tracker.start(read(None, "c1"), b_number="202", contact=None)
    clock.move(0.5)
    tracker.take_due()
    tracker.apply({"c1": VoipgridConnectionError("down")})
    assert tracker.next_poll() == clock.now + 1
    clock.move(1)
    assert tracker.take_due() == ["c1"]

    result = tracker.apply({"c1": VoipgridRateLimitError(30)})

    assert not result.changed
    assert not result.unavailable
    # Tried again as soon as the owner lets it; a failure after it backs off anew.
    assert tracker.next_poll() == clock.now + 1
    clock.move(1)
    tracker.take_due()
    tracker.apply({"c1": VoipgridConnectionError("down")})
    assert tracker.next_poll() == clock.now + 1


def test_pushed_event_reads_at_once(tracker: CallTracker, clock: Clock) -> None:
    """A pushed event reads the followed calls now; a call it was about then every 30 s."""
    tracker.pushed({"202"})  # nothing followed yet: nothing due
    assert tracker.next_poll() is None
    tracker.start(read(None), b_number="202", contact=None)
    clock.move(0.5)
    tracker.take_due()
    tracker.apply({"c1": read("connected")})
    assert tracker.next_poll() == 1002.5  # nothing pushed: every 2 s

    # An event of another call reads at once, but this call's end may not be pushed.
    clock.move(0.25)
    tracker.pushed({"0501234567", "201"})
    assert tracker.next_poll() == clock.now
    assert tracker.take_due() == ["c1"]
    tracker.apply({"c1": read("connected")})
    assert tracker.next_poll() == clock.now + 2

    clock.move(0.25)
    tracker.pushed({"202"})
    assert tracker.next_poll() == clock.now
    assert tracker.take_due() == ["c1"]
    tracker.apply({"c1": read("connected")})
    assert tracker.next_poll() == clock.now + 30

    # A call started after the push is not one whose events arrive, until the next one.
    tracker.start(read(None, "c2"), b_number="203", contact=None)
    clock.move(0.5)
    assert tracker.take_due() == ["c2"]
    tracker.apply({"c2": read("connected", "c2")})
    assert tracker.next_poll() == clock.now + 2


def test_read_sent_before_push_made_again(tracker: CallTracker, clock: Clock) -> None:
    """A read on its way when an event is pushed is made again at once; only once."""
    tracker.start(read(None), b_number="202", contact=None)
    clock.move(0.5)
    assert tracker.take_due() == ["c1"]
    tracker.pushed({"202"})  # while the read is on its way
    clock.move(0.1)
    assert not tracker.apply({"c1": read(None)}).changed
    assert tracker.next_poll() == clock.now
    assert tracker.take_due() == ["c1"]
    tracker.apply({"c1": read("connected")})
    assert tracker.next_poll() == clock.now + 30


def test_push_waits_for_backoff(tracker: CallTracker, clock: Clock) -> None:
    """A pushed event reads no sooner than a failing read's backoff allows."""
    tracker.start(read(None), b_number="202", contact=None)
    clock.move(0.5)
    tracker.take_due()
    tracker.apply({"c1": VoipgridConnectionError("down")})
    clock.move(0.5)
    tracker.pushed({"202"})
    assert tracker.next_poll() == 1001.5  # the backoff's 1 s, not now
    clock.move(0.5)
    assert tracker.take_due() == ["c1"]
    tracker.apply({"c1": read("connected")})
    # The read worked: a push reads at once again.
    clock.move(1)
    tracker.pushed({"202"})
    assert tracker.next_poll() == clock.now


def test_not_found_and_auth(tracker: CallTracker, clock: Clock) -> None:
    """A 404 ends the call's tracking; a refused token stops all polling."""
    tracker.start(read(None, "c1"), b_number="202", contact=None)
    tracker.start(read(None, "c2"), b_number="203", contact=None)
    clock.move(0.5)
    tracker.take_due()
    result = tracker.apply(
        {"c1": VoipgridNotFoundError(), "c2": VoipgridAuthenticationError(401)}
    )
    assert result.auth_failed
    assert result.changed
    assert [c.call_id for c in tracker.calls] == ["c2"]
    assert tracker.next_poll() is None
    assert [c.call_id for c in tracker.take_ended()] == ["c1"]


def test_stuck_call_given_up(
    tracker: CallTracker, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A set-up status unchanged for five minutes is given up; a conversation is not."""
    tracker.start(read(None, "c1"), b_number="202", contact=None)
    tracker.start(read(None, "c2"), b_number="203", contact=None)
    clock.move(0.5)
    tracker.take_due()
    tracker.apply({"c1": read("dialing_a"), "c2": read("connected", "c2")})
    for _ in range(400):
        clock.move(1)
        if due := tracker.take_due():
            tracker.apply(
                {
                    call_id: read(
                        "dialing_a" if call_id == "c1" else "connected", call_id
                    )
                    for call_id in due
                }
            )
        if not any(c.call_id == "c1" for c in tracker.calls):
            break
    assert [c.call_id for c in tracker.calls] == ["c2"]
    assert 300 <= clock.now - 1000.5 <= 302
    assert "no longer following it" in caplog.text


def test_unknown_status_kept_and_warned_once(
    tracker: CallTracker, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """An unknown status keeps the last known one and is logged once."""
    tracker.start(read(None), b_number="202", contact=None)
    for _ in range(3):
        clock.move(1)
        tracker.take_due()
        assert not tracker.apply({"c1": read("on_hold")}).changed
    assert tracker.latest is not None
    assert tracker.latest.status is CallStatus.SETTING_UP
    assert caplog.text.count("unknown call status: on_hold") == 1


def test_reads_of_calls_no_longer_followed_are_ignored(
    tracker: CallTracker, clock: Clock
) -> None:
    """A read that arrives for a call that is not followed changes nothing."""
    assert not tracker.apply({"gone": read("connected", "gone")}).changed
    assert tracker.latest is None


def test_stored_and_restored(clock: Clock) -> None:
    """What is stored brings back the latest call and resumes the followed ones at once."""
    first = CallTracker(clock=clock, wall_clock=clock.wall)
    first.start(read(None, "c1"), b_number="202", contact="Alice")
    first.start(read("failing_a", "c2"), b_number="203", contact=None)
    stored = first.as_stored()

    clock.move(3600)
    second = CallTracker(clock=clock, wall_clock=clock.wall)
    second.restore(stored)
    assert second.latest == first.latest
    assert [c.call_id for c in second.calls] == ["c1"]
    assert second.calls[0].contact == "Alice"
    assert second.take_due() == ["c1"]


@pytest.mark.parametrize(
    "item",
    [
        None,
        "text",
        {},
        {"call_id": "c1"},
        {
            "call_id": "c1",
            "b_number": "202",
            "started": "2026-11-28T12:00:00",  # no time zone
            "status": "connected",
            "status_changed": "2026-11-28T12:00:00+00:00",
            "tracking": True,
        },
        {
            "call_id": "c1",
            "b_number": "202",
            "started": "2026-11-28T12:00:00+00:00",
            "status": "ringing",  # not a status
            "status_changed": "2026-11-28T12:00:00+00:00",
            "tracking": True,
        },
    ],
)
def test_unusable_stored_call(item: object) -> None:
    """Stored data that cannot be a call is dropped, not raised."""
    assert TrackedCall.from_dict(item) is None
