"""The user's call history: read every 15 minutes and soon after one of their calls ends.

A coordinator of its own, beside call tracking and which phone rings: its failures never
touch the other entities. It shares the account's one rate limit (a 429 anywhere pauses
every read of the account) and keeps a growing pause of its own after failures. The calls
of the last week are kept; each read asks only back to a little before the newest call
known (never after now), so a read is usually one request. A record dated more than a day
ahead is not believed: it is left out, and said once. Nothing but its schedule and the end
of a call (at most one such read a minute) makes it read: looking at the calendar is served
from what was read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
import math
from typing import Any, Final, override

from custom_components.clicktodial.const import (
    DESTINATIONS_SLACK,
    DOMAIN,
    HISTORY_AFTER_CALL,
    HISTORY_AFTER_CALL_GAP,
    HISTORY_BACKOFF_INITIAL,
    HISTORY_DAYS,
    HISTORY_INTERVAL,
    HISTORY_MAX_AHEAD,
    HISTORY_MAX_PAGES,
    HISTORY_OVERLAP,
    HISTORY_PER_PAGE,
    HISTORY_UNAVAILABLE_AFTER,
    LOGGER,
)
from custom_components.clicktodial.errors import history_not_read, history_unavailable
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    HistoryApi,
    HistoryCall,
    VoipgridClient,
)
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .polled import PolledReadCoordinator, PolledReadSettings

# Home Assistant runs a coordinator's timer up to a second early (whole loop seconds).
HISTORY_SLACK: Final = DESTINATIONS_SLACK

HISTORY_READ: Final = PolledReadSettings(
    name="history",
    what="the call history",
    unsupported="The account has no call history to read (%s)",
    interval=HISTORY_INTERVAL,
    backoff_initial=HISTORY_BACKOFF_INITIAL,
    unavailable_after=HISTORY_UNAVAILABLE_AFTER,
    slack=HISTORY_SLACK,
    not_read=history_not_read,
    unavailable=history_unavailable,
)

type Calls = tuple[HistoryCall, ...]


def calls_on(calls: Iterable[HistoryCall], day: date) -> list[HistoryCall]:
    """Return the calls that started on ``day``, in Home Assistant's time zone."""
    return [call for call in calls if dt_util.as_local(call.start).date() == day]


def merge_calls(known: Calls, read: Iterable[HistoryCall], since: datetime) -> Calls:
    """Return the known calls with those read (a call read again replaces itself).

    Calls that started before ``since`` are dropped; the newest comes first.
    """
    calls = {call.id: call for call in known}
    calls.update((call.id, call) for call in read)
    return tuple(
        sorted(
            (call for call in calls.values() if call.start >= since),
            key=lambda call: (call.start, call.id),
            reverse=True,
        )
    )


class HistoryCoordinator(PolledReadCoordinator[Calls]):
    """The calls of the last week on one account, newest first; None before a first read."""

    settings = HISTORY_READ

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> None:
        """Create the coordinator of one account."""
        super().__init__(hass, config_entry, client)
        # The next read on the schedule; the end of a call reads sooner.
        self._due = 0.0
        self._call_ended = False
        self._unsub_after_call: CALLBACK_TYPE | None = None
        # When the last read after a call was made (clock time).
        self._after_call_at = -math.inf
        # Records of the last read the client could not use (for diagnostics).
        self.skipped = 0
        self.complete = True
        # The ids of the records of the last read dated too far ahead (said once each).
        self._ahead: set[str] = set()

    @property
    def api(self) -> HistoryApi | None:
        """Return which of the platform's call lists answered last."""
        return self.client.history_api

    @callback
    def async_call_ended(self) -> None:
        """Read the history shortly: one of the user's calls ended.

        The read comes ``HISTORY_AFTER_CALL`` later, one for calls ending together, and
        at most one a minute (``HISTORY_AFTER_CALL_GAP``); it still waits for a rate
        limit or the pause after failures.
        """
        if self._unsub_after_call is not None:
            return
        now = self.hass.loop.time()
        when = max(
            now + HISTORY_AFTER_CALL.total_seconds(),
            self._after_call_at + HISTORY_AFTER_CALL_GAP.total_seconds(),
        )
        self._unsub_after_call = async_call_later(
            self.hass,
            when - now,
            HassJob(
                self._read_after_call,
                f"{DOMAIN} history after a call",
                cancel_on_shutdown=True,
            ),
        )

    @callback
    def _read_after_call(self, _now: datetime) -> None:
        """Read the history now that the ended call may be listed."""
        self._unsub_after_call = None
        self._after_call_at = self.hass.loop.time()
        self._call_ended = True
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), name=f"{DOMAIN} history after a call"
        )

    @override
    async def async_shutdown(self) -> None:
        """Stop reading, also the read planned after a call."""
        await super().async_shutdown()
        if self._unsub_after_call is not None:
            self._unsub_after_call()
            self._unsub_after_call = None

    @override
    def _read_at(self) -> float:
        """Return when to read: as the backoff allows, and on time unless a call ended."""
        return (
            self._not_before if self._call_ended else max(self._not_before, self._due)
        )

    @override
    async def _async_read(self) -> Calls:
        """Read the calls since a little before the newest one known that is not ahead."""
        self._call_ended = False
        now = dt_util.utcnow()
        window = now - timedelta(days=HISTORY_DAYS)
        # A call dated ahead (a platform's clock) would hold back the calls made until then.
        newest = next(
            (call.start for call in self.data or () if call.start <= now), None
        )
        since = window if newest is None else max(window, newest - HISTORY_OVERLAP)
        history = await self.client.get_call_history(
            since, per_page=HISTORY_PER_PAGE, max_pages=HISTORY_MAX_PAGES
        )
        if history.skipped and history.skipped != self.skipped:
            LOGGER.debug(
                "%s records of the call list could not be used", history.skipped
            )
        self.skipped = history.skipped
        self.complete = history.complete
        return merge_calls(self.data or (), self._not_ahead(history.calls, now), window)

    def _not_ahead(self, calls: Calls, now: datetime) -> list[HistoryCall]:
        """Return the calls not dated more than ``HISTORY_MAX_AHEAD`` ahead of ``now``.

        Those left out are said once (a date far ahead cannot even be shown).
        """
        latest = now + HISTORY_MAX_AHEAD
        kept = [call for call in calls if call.start <= latest]
        ahead = {call.id for call in calls} - {call.id for call in kept}
        if new := ahead - self._ahead:
            LOGGER.warning(
                "%s records of the call list are dated more than a day ahead and are "
                "left out (ids %s)",
                len(new),
                ", ".join(sorted(new)),
            )
        self._ahead = ahead
        return kept

    @override
    async def _async_read_done(self, data: Calls, started: float) -> Calls:
        """Plan the next read on the schedule."""
        self._due = started + HISTORY_INTERVAL.total_seconds()
        return data

    @override
    def _plan(self, now: float, retry_in: float) -> None:
        """Read next in ``retry_in`` seconds.

        Only a failure holds back whoever asks (the end of a call may read before the
        schedule's time).
        """
        self.update_interval = timedelta(seconds=retry_in)

    def diagnostics(self) -> dict[str, Any]:
        """Return what diagnostics show: counts, no number or name."""
        today = calls_on(self.data or (), dt_util.now().date())
        return {
            "api": self.api,
            "calls": len(self.data or ()),
            "calls_today": len(today),
            "missed_calls_today": sum(call.missed for call in today),
            "skipped_records": self.skipped,
            "complete": self.complete,
            "newest": self.data[0].start.isoformat() if self.data else None,
            "last_update_success": self.last_update_success,
        }
