"""The user's call history: read every 15 minutes and soon after a call ends.

A coordinator of its own, beside call tracking and which phone rings: its failures never
touch the other entities. It shares the account's one rate limit (a 429 anywhere pauses
every read of the account) and keeps a growing pause of its own after failures. The calls
of the last week are kept; each read asks only back to a little before the newest call
known, so a read is usually one request. Nothing but its schedule and the end of a call
makes it read: looking at the calendar is served from what was read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Final, override

from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    DESTINATIONS_SLACK,
    DOMAIN,
    EVENT_CALL_ENDED,
    HISTORY_AFTER_CALL,
    HISTORY_BACKOFF_INITIAL,
    HISTORY_DAYS,
    HISTORY_INTERVAL,
    HISTORY_MAX_PAGES,
    HISTORY_OVERLAP,
    HISTORY_PER_PAGE,
    HISTORY_UNAVAILABLE_AFTER,
    LOGGER,
)
from .errors import auth_failed, history_not_read, history_unavailable
from .ratelimit import Backoff, RateLimit
from .runtime import ClickToDialConfigEntry
from .voipgrid import (
    HistoryApi,
    HistoryCall,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
)

# Home Assistant runs a coordinator's timer up to a second early (whole loop seconds).
HISTORY_SLACK: Final = DESTINATIONS_SLACK

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


async def async_setup_history(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    client: VoipgridClient,
    rate_limit: RateLimit,
) -> HistoryCoordinator | None:
    """Read the call history once; None when the account has no call list."""
    coordinator = HistoryCoordinator(hass, entry, client, rate_limit)
    await coordinator.async_refresh()
    if not coordinator.supported:
        return None
    coordinator.async_follow_calls()
    return coordinator


class HistoryCoordinator(DataUpdateCoordinator[Calls | None]):
    """The calls of the last week on one account, newest first; None before a first read."""

    config_entry: ClickToDialConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
        rate_limit: RateLimit,
    ) -> None:
        """Create the coordinator of one account."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=f"{DOMAIN} history",
            update_interval=HISTORY_INTERVAL,
            always_update=False,
        )
        self.client = client
        self._rate_limit = rate_limit
        self.supported = True
        self._first_read = True
        self._backoff = Backoff(
            HISTORY_BACKOFF_INITIAL.total_seconds(), HISTORY_INTERVAL.total_seconds()
        )
        # No read before this clock time (after a failure), whoever asks for one.
        self._not_before = 0.0
        # The next read on the schedule; the end of a call reads sooner.
        self._due = 0.0
        self._call_ended = False
        self._unsub_after_call: CALLBACK_TYPE | None = None
        # Records of the last read the client could not use (for diagnostics).
        self.skipped = 0
        self.complete = True

    @property
    def api(self) -> HistoryApi | None:
        """Return which of the platform's call lists answered last."""
        return self.client.history_api

    @callback
    def async_follow_calls(self) -> None:
        """Read soon after each call the account started from Home Assistant ends."""
        entry_id = self.config_entry.entry_id

        @callback
        def ended(event: Event[dict[str, Any]]) -> None:
            """Read the history soon: a call of this account ended."""
            if event.data.get("config_entry_id") == entry_id:
                self.async_call_ended()

        self.config_entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_CALL_ENDED, ended)
        )

    @callback
    def async_call_ended(self) -> None:
        """Read the history shortly: a call of the account ended.

        For whoever sees calls end (call tracking; pushed call notifications). The read
        comes ``HISTORY_AFTER_CALL`` later, one for calls ending together, and still
        waits for a rate limit or the pause after failures.
        """
        if self._unsub_after_call is not None:
            return
        self._unsub_after_call = async_call_later(
            self.hass,
            HISTORY_AFTER_CALL,
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
    async def _async_update_data(self) -> Calls | None:
        """Read the calls since a little before the newest one known; keep them on failure."""
        started = self.hass.loop.time()
        if (paused := self._rate_limit.paused_for()) > 0:
            LOGGER.debug("Rate limited: reading the call history in %.0f s", paused)
            return self._keep(started, retry_in=paused)
        # An entity update or an early refresh reads no sooner than the backoff allows,
        # nor before its time unless a call ended.
        due = self._not_before if self._call_ended else max(self._not_before, self._due)
        if (wait := due - started) > HISTORY_SLACK:
            return self._keep(started, retry_in=wait)
        self._call_ended = False
        first_read, self._first_read = self._first_read, False
        now = dt_util.utcnow()
        window = now - timedelta(days=HISTORY_DAYS)
        since = (
            max(window, self.data[0].start - HISTORY_OVERLAP) if self.data else window
        )
        try:
            history = await self.client.get_call_history(
                since, per_page=HISTORY_PER_PAGE, max_pages=HISTORY_MAX_PAGES
            )
        except VoipgridAuthenticationError as err:
            if err.status == 401:
                raise auth_failed() from err
            return self._failed(err, started, first_read=first_read)
        except VoipgridError as err:
            return self._failed(err, started, first_read=first_read)
        self._backoff.reset()
        self._not_before = 0.0
        self._due = started + HISTORY_INTERVAL.total_seconds()
        self.update_interval = HISTORY_INTERVAL
        if history.skipped and history.skipped != self.skipped:
            LOGGER.debug(
                "%s records of the call list could not be used", history.skipped
            )
        self.skipped = history.skipped
        self.complete = history.complete
        return merge_calls(self.data or (), history.calls, window)

    def _failed(
        self, err: VoipgridError, started: float, *, first_read: bool
    ) -> Calls | None:
        """Take a failed read into account: retry with backoff, keep the last calls."""
        # 404: neither call list exists; 403 (a 401 never comes here): no such right.
        if first_read and isinstance(
            err, (VoipgridNotFoundError, VoipgridAuthenticationError)
        ):
            LOGGER.debug("The account has no call history to read (%s)", err)
            self.supported = False
            return None
        if isinstance(err, VoipgridRateLimitError):
            self._rate_limit.pause(err.retry_after)
        LOGGER.debug("Reading the call history failed: %s", err)
        retry_in = self._backoff.fail(started)
        self._not_before = started + retry_in
        return self._keep(started, retry_in=retry_in)

    def _keep(self, now: float, *, retry_in: float) -> Calls:
        """Keep the last calls until the next read, unless reads failed for too long."""
        if (since := self._backoff.failing_since) is not None:
            left = since + HISTORY_UNAVAILABLE_AFTER.total_seconds() - now
            if left <= HISTORY_SLACK:
                self.update_interval = timedelta(seconds=retry_in)
                raise history_unavailable()
            # The read that decides about the outage comes on time.
            retry_in = min(retry_in, left)
        self.update_interval = timedelta(seconds=retry_in)
        if self.data is None:
            raise history_not_read()
        return self.data

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
