"""Call tracking for one account: Home Assistant's timer, storage and listeners around the tracker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, override

from custom_components.clicktodial.const import (
    DOMAIN,
    EVENT_CALL_ENDED,
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
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .tracker import CallTracker, StatusChange, TrackedCall


class ClickToDialCoordinator(DataUpdateCoordinator[TrackedCall | None]):
    """Track every call started on one account; the data is the latest call.

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
        self._status_listeners: list[Callable[[StatusChange], None]] = []
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{config_entry.entry_id}"
        )

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
    async def _async_update_data(self) -> TrackedCall | None:
        """Read the status of every tracked call that is due (none while rate limited)."""
        if self.client.rate_limit.paused_for() > 0 or not (
            due := self.tracker.take_due()
        ):
            return self.tracker.latest
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
        return self.tracker.latest

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
        self.async_set_updated_data(tracked)
        self._flush_changes()
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

    @callback
    def _flush_changes(self) -> None:
        """Tell the status listeners about the queued changes, and report ended calls.

        Only once a poll is over: the entities are then available again after an
        outage, so no change is written to an unavailable entity and lost.
        """
        for change in self.tracker.take_changes():
            for listener in list(self._status_listeners):
                listener(change)
        if ended := self.tracker.take_ended():
            _fire_calls_ended(self.hass, self.config_entry, ended)

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        """Pass on the poll's status changes and plan the next poll."""
        self._flush_changes()
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


def _fire_calls_ended(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, ended: list[TrackedCall]
) -> None:
    """Fire the event of each call no longer followed (the logbook describes it)."""
    # The event is about the account's call event entity, so that a logbook card of
    # that entity shows it.
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.EVENT, DOMAIN, f"{entry.unique_id}_call"
    )
    for call in ended:
        hass.bus.async_fire(
            EVENT_CALL_ENDED,
            {
                ATTR_ENTITY_ID: entity_id,
                "config_entry_id": entry.entry_id,
                "call_id": call.call_id,
                "b_number": call.b_number,
                "contact": call.contact,
                "status": call.status.value,
            },
        )
