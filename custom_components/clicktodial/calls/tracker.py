"""Call tracking without Home Assistant: which calls are due, what a read changes, when to stop.

The tracker is driven from outside: its owner asks which calls are due, reads them from the
platform, hands the results back and plans the next poll for the time the tracker names.
It never sleeps, sends or stores anything itself, so it can be tested and benchmarked with
any clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from custom_components.clicktodial.const import (
    FIRST_POLL_DELAY,
    LOGGER,
    STUCK_AFTER,
    UNAVAILABLE_AFTER,
)
from custom_components.clicktodial.voipgrid import (
    Call,
    CallStatus,
    VoipgridAuthenticationError,
    VoipgridError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    clean_text,
    same_number,
)

from .schedule import ReadSchedule


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackedCall:
    """What Home Assistant knows of one call started through it."""

    call_id: str
    b_number: str
    started: datetime
    status: CallStatus
    status_changed: datetime
    tracking: bool
    # The name of the contact called, when the call was started for a contact.
    contact: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the call as JSON-ready data for storage."""
        return {
            "call_id": self.call_id,
            "b_number": self.b_number,
            "contact": self.contact,
            "started": self.started.isoformat(),
            "status": self.status.value,
            "status_changed": self.status_changed.isoformat(),
            "tracking": self.tracking,
        }

    @classmethod
    def from_dict(cls, data: Any) -> TrackedCall | None:
        """Rebuild a stored call, or None when the stored data is unusable."""
        try:
            contact = data.get("contact")
            return cls(
                call_id=clean_text(str(data["call_id"])),
                b_number=clean_text(str(data["b_number"])),
                contact=clean_text(contact) if isinstance(contact, str) else None,
                started=_aware(data["started"]),
                status=CallStatus(data["status"]),
                status_changed=_aware(data["status_changed"]),
                tracking=bool(data["tracking"]),
            )
        except AttributeError, KeyError, TypeError, ValueError:
            return None


def _aware(value: str) -> datetime:
    """Parse a stored timestamp, which always has a time zone."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("timestamp without a time zone")
    return parsed


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChange:
    """A tracked call reached a new status (``previous`` is None when it was started)."""

    call: TrackedCall
    previous: CallStatus | None


@dataclass(frozen=True, kw_only=True, slots=True)
class PollResult:
    """What one round of status reads means for the tracker's owner."""

    # Something worth saving changed.
    changed: bool = False
    # The platform refused the credentials: stop polling until they are renewed.
    auth_failed: bool = False
    # Reads have failed for too long: the call state can no longer be trusted.
    unavailable: bool = False


class CallTracker:
    """The state of every call being followed on one account, and its polling schedule.

    ``clock`` is a monotonic clock in seconds (the event loop's), ``wall_clock`` returns
    the aware current time. Status changes and ended calls are queued until taken.

    The owner tells the tracker of each call event the platform pushes (``pushed``): the
    calls followed are read at once, and those the event was about (the same number) count
    as calls whose end is pushed, so their conversation is read less often.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        wall_clock: Callable[[], datetime],
    ) -> None:
        """Create an empty tracker."""
        self._clock = clock
        self._wall_clock = wall_clock
        self.latest: TrackedCall | None = None
        self._calls: dict[str, TrackedCall] = {}
        self._schedule = ReadSchedule(clock)
        self.auth_failed = False
        self._changes: list[StatusChange] = []
        self._ended: list[TrackedCall] = []
        self._unknown_statuses: set[str] = set()
        # The numbers of the calls being sent to the platform right now.
        self.starting: set[str] = set()

    @property
    def calls(self) -> list[TrackedCall]:
        """Return the calls being followed now."""
        return list(self._calls.values())

    def restore(self, stored: Mapping[str, Any]) -> None:
        """Take back what ``as_stored`` returned before a restart; read resumed calls now."""
        self.latest = TrackedCall.from_dict(stored.get("latest"))
        now = self._clock()
        calls = stored.get("calls")
        for item in calls if isinstance(calls, list) else []:
            if (call := TrackedCall.from_dict(item)) is not None and call.tracking:
                self._calls[call.call_id] = call
                self._schedule.read_at(call.call_id, now)

    def as_stored(self) -> dict[str, Any]:
        """Return what must survive a restart."""
        return {
            "latest": self.latest.as_dict() if self.latest else None,
            "calls": [call.as_dict() for call in self._calls.values()],
        }

    def start(self, call: Call, *, b_number: str, contact: str | None) -> TrackedCall:
        """Follow a call the platform has just started."""
        now = self._wall_clock()
        status = call.status or CallStatus.SETTING_UP
        tracked = TrackedCall(
            call_id=call.call_id,
            b_number=call.b_number or b_number,
            contact=contact,
            started=now,
            status=status,
            status_changed=now,
            tracking=not status.is_terminal,
        )
        self.latest = tracked
        self._changes.append(StatusChange(call=tracked, previous=None))
        if tracked.tracking:
            self._calls[tracked.call_id] = tracked
            self._schedule.read_at(tracked.call_id, self._clock() + FIRST_POLL_DELAY)
        else:
            self._ended.append(tracked)
        return tracked

    def next_poll(self) -> float | None:
        """Return when the next poll is due on the clock, or None while nothing is."""
        return None if self.auth_failed else self._schedule.next_poll()

    def take_due(self) -> list[str]:
        """Return the ids of the calls to read now."""
        return self._schedule.take_due()

    def pushed(self, numbers: Collection[str], code: str | None = None) -> None:
        """Take in a call event the platform pushed, about ``numbers``: read calls now.

        The calls to one of ``numbers`` (national numbers of the calling code ``code``)
        have their own events pushed: their end will be.
        """
        self._schedule.pushed(
            [
                call.call_id
                for call in self._calls.values()
                if any(same_number(call.b_number, number, code) for number in numbers)
            ]
        )

    def apply(self, reads: Mapping[str, Call | VoipgridError]) -> PollResult:
        """Take the results of reading the due calls into account."""
        now = self._clock()
        reached = changed = False
        failed: list[str] = []
        for call_id, result in reads.items():
            if (tracked := self._calls.get(call_id)) is None:
                continue
            if isinstance(result, Call):
                reached = True
                changed |= self._apply_read(tracked, result)
            elif isinstance(result, VoipgridNotFoundError):
                reached = changed = True
                LOGGER.debug("Call %s is no longer known to the platform", call_id)
                self._finish(tracked)
            elif isinstance(result, VoipgridAuthenticationError):
                self.auth_failed = True
            elif isinstance(result, VoipgridRateLimitError):
                # Not a failure: the client holds every request back until the pause
                # ends, and the owner plans no poll before then.
                LOGGER.debug("Rate limited for %s s", result.retry_after)
            else:
                failed.append(call_id)
                LOGGER.debug("Reading call %s failed: %s", call_id, result)
        if self.auth_failed:
            return PollResult(changed=changed, auth_failed=True)
        if reached or not failed:
            self._schedule.reached()
            return PollResult(changed=changed)
        failing_since = self._schedule.failed(failed)
        unavailable = now - failing_since >= UNAVAILABLE_AFTER.total_seconds()
        return PollResult(changed=changed, unavailable=unavailable)

    def take_changes(self) -> list[StatusChange]:
        """Return the status changes since the last call, oldest first."""
        changes, self._changes = self._changes, []
        return changes

    def take_ended(self) -> list[TrackedCall]:
        """Return the calls no longer followed since the last call, in their last state."""
        ended, self._ended = self._ended, []
        return ended

    def _apply_read(self, tracked: TrackedCall, call: Call) -> bool:
        """Take one status read into account; return whether anything changed."""
        status = call.status
        utcnow = self._wall_clock()
        if status is None:
            raw = call.raw_status or ""
            if raw not in self._unknown_statuses:
                self._unknown_statuses.add(raw)
                LOGGER.warning("The platform sent an unknown call status: %s", raw)
            status = tracked.status
        if status is not tracked.status:
            updated = replace(tracked, status=status, status_changed=utcnow)
            self._calls[updated.call_id] = updated
            if self.latest is not None and self.latest.call_id == updated.call_id:
                self.latest = updated
            self._changes.append(StatusChange(call=updated, previous=tracked.status))
            if status.is_terminal:
                self._finish(updated)
            else:
                self._schedule.was_read(
                    tracked.call_id, connected=status is CallStatus.CONNECTED
                )
            return True
        if (
            status is not CallStatus.CONNECTED
            and utcnow - tracked.status_changed >= STUCK_AFTER
        ):
            LOGGER.warning(
                "Call %s has been %s for %s; no longer following it",
                tracked.call_id,
                status,
                STUCK_AFTER,
            )
            self._finish(tracked)
            return True
        self._schedule.was_read(
            tracked.call_id, connected=status is CallStatus.CONNECTED
        )
        return False

    def _finish(self, call: TrackedCall) -> None:
        """Stop following a call; its last state stays as it was."""
        self._calls.pop(call.call_id, None)
        self._schedule.forget(call.call_id)
        ended = replace(call, tracking=False)
        if self.latest is not None and self.latest.call_id == call.call_id:
            self.latest = ended
        self._ended.append(ended)
