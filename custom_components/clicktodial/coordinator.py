"""Call tracking for one account: the polling schedule and the latest call's state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Call,
    CallStatus,
    Profile,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridError,
    VoipgridInvalidRequestError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
)
from .const import (
    BACKOFF_INITIAL,
    BACKOFF_MAX,
    CONNECTED_POLL_INTERVAL,
    DOMAIN,
    FIRST_POLL_DELAY,
    LOGGER,
    POLL_SLACK,
    SETUP_POLL_INTERVAL,
    STORAGE_SAVE_DELAY,
    STORAGE_VERSION,
    STUCK_AFTER,
    UNAVAILABLE_AFTER,
)

type ClickToDialConfigEntry = ConfigEntry[ClickToDialData]


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackedCall:
    """What Home Assistant knows of one call started through it."""

    call_id: str
    b_number: str
    started: datetime
    status: CallStatus
    status_changed: datetime
    tracking: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the call as JSON-ready data for storage."""
        return {
            "call_id": self.call_id,
            "b_number": self.b_number,
            "started": self.started.isoformat(),
            "status": self.status.value,
            "status_changed": self.status_changed.isoformat(),
            "tracking": self.tracking,
        }

    @classmethod
    def from_dict(cls, data: Any) -> TrackedCall | None:
        """Rebuild a stored call, or None when the stored data is unusable."""
        try:
            started = dt_util.parse_datetime(data["started"])
            changed = dt_util.parse_datetime(data["status_changed"])
            if started is None or changed is None:
                return None
            return cls(
                call_id=str(data["call_id"]),
                b_number=str(data["b_number"]),
                started=started,
                status=CallStatus(data["status"]),
                status_changed=changed,
                tracking=bool(data["tracking"]),
            )
        except KeyError, TypeError, ValueError:
            return None


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChange:
    """A tracked call reached a new status (``previous`` is None when it was started)."""

    call: TrackedCall
    previous: CallStatus | None


@dataclass(kw_only=True, slots=True)
class ClickToDialData:
    """Runtime data of a config entry."""

    client: VoipgridClient
    coordinator: ClickToDialCoordinator
    # What the dial pad's "Number to dial" holds; the "Dial" button calls it.
    dial_number: str = ""


class ClickToDialCoordinator(DataUpdateCoordinator[TrackedCall | None]):
    """Track every call started on one account; the data is the latest call.

    There is no fixed update interval: while no call is being tracked nothing is asked of
    the platform; while calls are tracked, each is read on its own schedule (fast while it
    is set up, slower while connected) until it ends.
    """

    config_entry: ClickToDialConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> None:
        """Create the coordinator of one account."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=DOMAIN,
            update_interval=None,
            always_update=False,
        )
        self.client = client
        self.profile: Profile | None = None
        self._latest: TrackedCall | None = None
        self._calls: dict[str, TrackedCall] = {}
        self._due: dict[str, float] = {}
        self._paused_until = 0.0
        self._failures = 0
        self._failing_since: float | None = None
        self._auth_failed = False
        self._polling = False
        self._stopped = False
        self._unsub_poll: CALLBACK_TYPE | None = None
        self._status_listeners: list[Callable[[StatusChange], None]] = []
        self._changes: list[StatusChange] = []
        self._unknown_statuses: set[str] = set()
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{config_entry.entry_id}"
        )

    @property
    def tracked_calls(self) -> list[TrackedCall]:
        """Return the calls being followed now."""
        return list(self._calls.values())

    @override
    async def _async_setup(self) -> None:
        """Check the credentials and pick up the calls tracked before a restart."""
        try:
            self.profile = await self.client.get_profile()
        except VoipgridAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except VoipgridError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="cannot_connect"
            ) from err
        stored = await self._store.async_load() or {}
        self._latest = TrackedCall.from_dict(stored.get("latest"))
        now = self.hass.loop.time()
        for item in stored.get("calls", []):
            if (call := TrackedCall.from_dict(item)) is not None and call.tracking:
                self._calls[call.call_id] = call
                self._due[call.call_id] = now
        if self._calls:
            LOGGER.debug("Resuming tracking of %d call(s)", len(self._calls))

    @override
    async def _async_update_data(self) -> TrackedCall | None:
        """Read the status of every tracked call that is due."""
        loop = self.hass.loop
        started = loop.time()
        due = [
            call_id
            for call_id, when in self._due.items()
            if when <= started + POLL_SLACK
        ]
        if not due or started < self._paused_until:
            return self._latest
        for call_id in due:
            # Unless a read says better, try again a little later: no failure can make
            # polling spin.
            self._due[call_id] = started + BACKOFF_INITIAL
        self._polling = True
        try:
            results = await asyncio.gather(
                *(self.client.get_call(call_id) for call_id in due),
                return_exceptions=True,
            )
        finally:
            self._polling = False
        now = loop.time()
        reached = False
        changed = False
        failed: list[str] = []
        for call_id, result in zip(due, results, strict=True):
            if isinstance(result, Call):
                reached = True
                changed |= self._apply(self._calls[call_id], result, now)
            elif isinstance(result, VoipgridNotFoundError):
                reached = changed = True
                LOGGER.debug("Call %s is no longer known to the platform", call_id)
                self._finish(self._calls[call_id])
            elif isinstance(result, VoipgridAuthenticationError):
                self._auth_failed = True
            elif isinstance(result, VoipgridRateLimitError):
                self._paused_until = max(self._paused_until, now + result.retry_after)
                LOGGER.debug("Rate limited; pausing for %s s", result.retry_after)
            elif isinstance(result, VoipgridError):
                failed.append(call_id)
                LOGGER.debug("Reading call %s failed: %s", call_id, result)
            else:
                raise result
        if changed:
            self._async_save()
        if self._auth_failed:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            )
        if reached or not failed:
            self._failures = 0
            self._failing_since = None
            return self._latest
        self._failures += 1
        if self._failing_since is None:
            self._failing_since = started
        backoff = min(BACKOFF_INITIAL * 2 ** (self._failures - 1), BACKOFF_MAX)
        for call_id in failed:
            self._due[call_id] = now + backoff
        if now - self._failing_since >= UNAVAILABLE_AFTER.total_seconds():
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="status_unavailable"
            )
        return self._latest

    def _apply(self, tracked: TrackedCall, call: Call, now: float) -> bool:
        """Take a status read of a tracked call into account; return if it changed."""
        status = call.status
        utcnow = dt_util.utcnow()
        if status is None:
            raw = call.raw_status or ""
            if raw not in self._unknown_statuses:
                self._unknown_statuses.add(raw)
                LOGGER.warning("The platform sent an unknown call status: %s", raw)
            status = tracked.status
        changed = status is not tracked.status
        if changed:
            updated = replace(tracked, status=status, status_changed=utcnow)
            self._store_call(updated)
            self._notify(StatusChange(call=updated, previous=tracked.status))
            if status.is_terminal:
                self._finish(updated)
                return True
            tracked = updated
        elif (
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
        interval = (
            CONNECTED_POLL_INTERVAL
            if status is CallStatus.CONNECTED
            else SETUP_POLL_INTERVAL
        )
        self._due[tracked.call_id] = now + interval
        return changed

    def _store_call(self, call: TrackedCall) -> None:
        """Remember the new state of a tracked call."""
        self._calls[call.call_id] = call
        if self._latest is not None and self._latest.call_id == call.call_id:
            self._latest = call

    def _finish(self, call: TrackedCall) -> None:
        """Stop following a call; its last state stays as it was."""
        self._calls.pop(call.call_id, None)
        self._due.pop(call.call_id, None)
        if self._latest is not None and self._latest.call_id == call.call_id:
            self._latest = replace(call, tracking=False)

    def _notify(self, change: StatusChange) -> None:
        """Queue a change for the status listeners (see ``_flush_changes``)."""
        self._changes.append(change)

    @callback
    def _flush_changes(self) -> None:
        """Tell the status listeners about the queued changes.

        Only once a poll is over: the entities are then available again after an
        outage, so no change is written to an unavailable entity and lost.
        """
        changes, self._changes = self._changes, []
        for change in changes:
            for listener in list(self._status_listeners):
                listener(change)

    @callback
    def async_add_status_listener(
        self, listener: Callable[[StatusChange], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` on every status change of every tracked call."""
        self._status_listeners.append(listener)

        @callback
        def remove() -> None:
            self._status_listeners.remove(listener)

        return remove

    async def async_start_call(
        self,
        b_number: str,
        *,
        a_number: str | None = None,
        b_cli: str | None = None,
        auto_answer: bool | None = None,
    ) -> TrackedCall:
        """Start a call on the platform and track it until it ends."""
        try:
            call = await self.client.start_call(
                b_number, a_number=a_number, b_cli=b_cli, auto_answer=auto_answer
            )
        except VoipgridAuthenticationError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="call_auth_failed"
            ) from err
        except VoipgridInvalidRequestError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="call_rejected",
                translation_placeholders={"message": err.message},
            ) from err
        except VoipgridRateLimitError as err:
            # The account is rate limited as a whole: status reads wait too.
            self._paused_until = max(
                self._paused_until, self.hass.loop.time() + err.retry_after
            )
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"retry_after": f"{err.retry_after:g}"},
            ) from err
        except VoipgridError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="cannot_connect"
            ) from err
        now = dt_util.utcnow()
        status = call.status or CallStatus.SETTING_UP
        tracked = TrackedCall(
            call_id=call.call_id,
            b_number=call.b_number or b_number,
            started=now,
            status=status,
            status_changed=now,
            tracking=not status.is_terminal,
        )
        self._latest = tracked
        if tracked.tracking:
            self._calls[tracked.call_id] = tracked
            self._due[tracked.call_id] = self.hass.loop.time() + FIRST_POLL_DELAY
        self._notify(StatusChange(call=tracked, previous=None))
        self.async_set_updated_data(tracked)
        self._flush_changes()
        self._async_save()
        if not self._polling:
            self._schedule_poll()
        return tracked

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        """Pass on the poll's status changes and plan the next poll."""
        self._flush_changes()
        self._schedule_poll()

    @callback
    def _schedule_poll(self) -> None:
        """Plan the next poll for the earliest due call, or none while nothing is due."""
        if self._unsub_poll is not None:
            self._unsub_poll()
            self._unsub_poll = None
        if self._auth_failed or not self._due or self._stopped:
            return
        when = max(min(self._due.values()), self._paused_until)
        self._unsub_poll = async_call_later(
            self.hass,
            max(when - self.hass.loop.time(), 0),
            HassJob(self._handle_poll, "clicktodial poll", cancel_on_shutdown=True),
        )

    @callback
    def _handle_poll(self, _now: datetime) -> None:
        """Run a poll in the background when it is due."""
        self._unsub_poll = None
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), name=f"{DOMAIN} poll", eager_start=True
        )

    @callback
    def _async_save(self) -> None:
        """Persist the tracked calls, so a restart loses none."""
        self._store.async_delay_save(self._store_data, STORAGE_SAVE_DELAY)

    @callback
    def _store_data(self) -> dict[str, Any]:
        """Return what is persisted."""
        return {
            "latest": self._latest.as_dict() if self._latest else None,
            "calls": [call.as_dict() for call in self._calls.values()],
        }

    @override
    async def async_shutdown(self) -> None:
        """Stop polling and write the tracked calls out now."""
        await super().async_shutdown()
        self._stopped = True
        if self._unsub_poll is not None:
            self._unsub_poll()
            self._unsub_poll = None
        await self._store.async_save(self._store_data())
