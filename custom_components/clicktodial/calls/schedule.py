"""When each followed call is read next: intervals, backoff and reads asked for by pushes.

No Home Assistant here: the schedule only computes clock times, so the tracker that owns it
can be tested and benchmarked with any clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from custom_components.clicktodial.const import (
    BACKOFF_INITIAL,
    BACKOFF_MAX,
    CONNECTED_POLL_INTERVAL,
    POLL_SLACK,
    PUSHED_CONNECTED_POLL_INTERVAL,
    SETUP_POLL_INTERVAL,
)
from custom_components.clicktodial.voipgrid import Backoff


class ReadSchedule:
    """The clock time each followed call is read next.

    A call being set up is read every ``SETUP_POLL_INTERVAL``, a conversation every
    ``CONNECTED_POLL_INTERVAL``; a conversation whose own events are pushed by the platform
    every ``PUSHED_CONNECTED_POLL_INTERVAL``, as its end is read when pushed. Failing reads
    back off. The account's 429 pause is not the schedule's: its owner holds the reads
    back until it ends.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        """Create an empty schedule on ``clock``."""
        self._clock = clock
        self._due: dict[str, float] = {}
        self.backoff = Backoff(BACKOFF_INITIAL, BACKOFF_MAX)
        # While reads fail, none is made before this clock time, pushed events or not.
        self._retry_at = 0.0
        self._round_started = 0.0
        # The calls whose own events were pushed, and how many events were pushed (a read
        # sent before the latest push is made again).
        self._pushed: set[str] = set()
        self._pushes = 0
        self._round_pushes = 0

    def read_at(self, call_id: str, when: float) -> None:
        """Read a call at clock time ``when``."""
        self._due[call_id] = when

    def forget(self, call_id: str) -> None:
        """Read a call no more."""
        self._due.pop(call_id, None)
        self._pushed.discard(call_id)

    def next_poll(self) -> float | None:
        """Return when the next read is due on the clock, or None while none is."""
        if not self._due:
            return None
        return min(self._due.values())

    def take_due(self) -> list[str]:
        """Return the calls to read now.

        Unless a read says better, each is tried again a little later, so no failure can
        make polling spin.
        """
        now = self._round_started = self._clock()
        self._round_pushes = self._pushes
        due = [
            call_id for call_id, when in self._due.items() if when <= now + POLL_SLACK
        ]
        for call_id in due:
            self._due[call_id] = now + BACKOFF_INITIAL
        return due

    def pushed(self, own: Collection[str]) -> None:
        """Read every call now: an event was pushed; ``own`` are the calls it was about.

        Not sooner than a failing read's backoff allows; a read
        already on its way is made again once its answer is in, as it may have left before
        the event happened.
        """
        self._pushes += 1
        not_before = max(self._clock(), self._retry_at)
        self._pushed.update(call_id for call_id in own if call_id in self._due)
        for call_id, when in self._due.items():
            self._due[call_id] = min(when, not_before)

    def was_read(self, call_id: str, *, connected: bool) -> None:
        """Plan the next read of a call just read (``connected``: in conversation)."""
        now = self._clock()
        if self._pushes != self._round_pushes:
            when = now  # an event was pushed while the read was on its way
        elif not connected:
            when = now + SETUP_POLL_INTERVAL
        elif call_id in self._pushed:
            when = now + PUSHED_CONNECTED_POLL_INTERVAL
        else:
            when = now + CONNECTED_POLL_INTERVAL
        self._due[call_id] = when

    def reached(self) -> None:
        """Take in that the platform answered: failures no longer back off."""
        self.backoff.reset()
        self._retry_at = 0.0

    def failed(self, call_ids: Collection[str]) -> float:
        """Back off the reads of calls that failed; return since when reads fail."""
        now = self._clock()
        delay = self.backoff.fail(self._round_started)
        self._retry_at = now + delay
        for call_id in call_ids:
            self._due[call_id] = now + delay
        assert self.backoff.failing_since is not None
        return self.backoff.failing_since
