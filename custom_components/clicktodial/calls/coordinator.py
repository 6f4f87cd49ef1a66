"""Call tracking for one account: Home Assistant's timer and storage around the tracker.

The coordinator's data is the latest call with the status changes and the ends of the
last update, so that its listeners (the Call event entity, the wiring that fires the bus
events and reads the history) each follow it as an ordinary coordinator listener.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, override

from custom_components.clicktodial.const import (
    DOMAIN,
    LOGGER,
    STORAGE_SAVE_DELAY,
    STORAGE_VERSION,
)
from custom_components.clicktodial.errors import (
    action_error,
    auth_failed,
    setup_error,
    status_unavailable,
    voipgrid_errors,
)
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.storage import async_load_or_replace
from custom_components.clicktodial.voipgrid import (
    Call,
    Profile,
    VoipgridClient,
    VoipgridError,
    calling_code,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .tracker import CallTracker, StatusChange, TrackedCall


@dataclass(frozen=True, kw_only=True, slots=True)
class CallsData:
    """The latest call, and what the last update changed: status changes, calls ended."""

    latest: TrackedCall | None = None
    # Every status change of every call since the update before, oldest first.
    changes: tuple[StatusChange, ...] = ()
    # The calls no longer followed since the update before, in their last state.
    ended: tuple[TrackedCall, ...] = ()


class ClickToDialCoordinator(DataUpdateCoordinator[CallsData]):
    """Track every call started on one account; the data is the latest call and changes.

    There is no fixed update interval: while no call is being tracked nothing is asked of
    the platform; while calls are tracked, the tracker names when the next read is due.
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
        self.tracker = CallTracker(clock=hass.loop.time, wall_clock=dt_util.utcnow)
        self._polling = False
        self._stopped = False
        # Nothing is written back before the saved calls were read: a setup that fails
        # before then must not overwrite them with nothing.
        self._loaded = False
        self._unsub_poll: CALLBACK_TYPE | None = None
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{config_entry.entry_id}"
        )
        self.data = CallsData()

    @property
    def tracked_calls(self) -> list[TrackedCall]:
        """Return the calls being followed now."""
        return self.tracker.calls

    @override
    async def _async_setup(self) -> None:
        """Check the credentials and pick up the calls tracked before a restart."""
        try:
            self.profile = await self.client.get_profile()
        except VoipgridError as err:
            raise setup_error(err) from err
        self.tracker.restore(
            await async_load_or_replace(self._store, "calls being followed")
        )
        self._loaded = True
        if self.tracker.calls:
            LOGGER.debug("Resuming tracking of %d call(s)", len(self.tracker.calls))

    @override
    async def _async_update_data(self) -> CallsData:
        """Read the status of every tracked call that is due (none while rate limited).

        The changes are taken only by an update that succeeds: those of a failed one
        wait for the next, so that none is written to an unavailable entity and lost.
        """
        if self.client.rate_limit.paused_for() > 0 or not (
            due := self.tracker.take_due()
        ):
            return self._take_data()
        self._polling = True
        try:
            results = await asyncio.gather(
                *(self.client.get_call(call_id) for call_id in due),
                return_exceptions=True,
            )
        finally:
            self._polling = False
        reads: dict[str, Call | VoipgridError] = {}
        unexpected: BaseException | None = None
        for call_id, result in zip(due, results, strict=True):
            if isinstance(result, (Call, VoipgridError)):
                reads[call_id] = result
            else:
                unexpected = unexpected or result
        outcome = self.tracker.apply(reads)
        if outcome.changed:
            self._async_save()
        if unexpected is not None:
            raise unexpected
        if outcome.auth_failed:
            raise auth_failed()
        if outcome.unavailable:
            raise status_unavailable()
        return self._take_data()

    def _take_data(self) -> CallsData:
        """Return the latest call with the changes and ends queued since the last time.

        While the account is set up, the ends add up: they are reported once it is
        (the wiring listens from then on), so that no end read meanwhile is lost.
        """
        ended = tuple(self.tracker.take_ended())
        if self._setting_up:
            ended = (*self.data.ended, *ended)
        return CallsData(
            latest=self.tracker.latest,
            changes=tuple(self.tracker.take_changes()),
            ended=ended,
        )

    @property
    def _setting_up(self) -> bool:
        """Return whether the account is being set up."""
        return self.config_entry.state is ConfigEntryState.SETUP_IN_PROGRESS

    # A 403 (a partner account, a missing right) starts no call with this token either.
    @voipgrid_errors(action_error, reauth_on=(401, 403))
    async def async_start_call(
        self,
        b_number: str,
        *,
        a_number: str | None = None,
        b_cli: str | None = None,
        auto_answer: bool | None = None,
        contact: str | None = None,
    ) -> TrackedCall:
        """Start a call on the platform and track it until it ends."""
        # A person asked for it: sent even while the reads wait for a 429's pause.
        call = await self.client.start_call(
            b_number,
            a_number=a_number,
            b_cli=b_cli,
            auto_answer=auto_answer,
            despite_pause=True,
        )
        tracked = self.tracker.start(call, b_number=b_number, contact=contact)
        self.async_set_updated_data(self._take_data())
        self._async_save()
        if not self._polling:
            self._schedule_poll()
        return tracked

    @callback
    def async_pushed(self, numbers: Collection[str]) -> None:
        """Read the followed calls at once: the platform pushed an event of a call.

        ``numbers`` are those of the call the event was about. The account's rate limit
        and a failing read's backoff still hold the reads back.
        """
        self.tracker.pushed(numbers, calling_code(self.hass.config.country))
        if not self._polling:
            self._schedule_poll()

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        """Plan the next poll; after a failed one the data tells of no change.

        The listeners hear of the failure with the data of the update before, whose
        changes they were told of then (the ends adding up during set-up are kept).
        """
        if not self.last_update_success:
            self.data = replace(
                self.data,
                changes=(),
                ended=self.data.ended if self._setting_up else (),
            )
        self._schedule_poll()

    @callback
    def _schedule_poll(self) -> None:
        """Plan the next poll for when the tracker says, or none while nothing is due."""
        if self._unsub_poll is not None:
            self._unsub_poll()
            self._unsub_poll = None
        if self._stopped or (when := self.tracker.next_poll()) is None:
            return
        self._unsub_poll = async_call_later(
            self.hass,
            # While the account is rate limited, nothing is read before the pause ends.
            max(when - self.hass.loop.time(), self.client.rate_limit.paused_for()),
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
        self._store.async_delay_save(self.tracker.as_stored, STORAGE_SAVE_DELAY)

    @override
    async def async_shutdown(self) -> None:
        """Stop polling and write the tracked calls out now."""
        await super().async_shutdown()
        self._stopped = True
        if self._unsub_poll is not None:
            self._unsub_poll()
            self._unsub_poll = None
        if self._loaded:
            await self._store.async_save(self.tracker.as_stored())
