"""Call queues: how many callers wait in each of the company's queues.

A polled read of its own, whose failures touch nothing else. Its sensors are disabled by
default and it reads only while one listens: once at set-up (to find the queues), then
every 30 s while at least one queue sensor is enabled, and never otherwise. A set-up read
that failed for a passing reason is tried again until one finds the queues.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Self, override

from custom_components.clicktodial.const import (
    DESTINATIONS_SLACK,
    QUEUES_BACKOFF_INITIAL,
    QUEUES_INTERVAL,
    QUEUES_MAX_PAGES,
    QUEUES_UNAVAILABLE_AFTER,
)
from custom_components.clicktodial.errors import queues_not_read, queues_unavailable
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import CallQueue, VoipgridClient
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .polled import PolledReadCoordinator, PolledReadSettings

QUEUES_READ: Final = PolledReadSettings(
    name="queues",
    what="the call queues",
    unsupported="The account cannot read the call queues (%s)",
    interval=QUEUES_INTERVAL,
    backoff_initial=QUEUES_BACKOFF_INITIAL,
    unavailable_after=QUEUES_UNAVAILABLE_AFTER,
    slack=DESTINATIONS_SLACK,
    not_read=queues_not_read,
    unavailable=queues_unavailable,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class CallQueues:
    """The company's call queues by id, as far as the list was read."""

    queues: Mapping[str, CallQueue]
    # Whether the list was read to its end (not cut off after its last page read).
    complete: bool


class QueuesCoordinator(PolledReadCoordinator[CallQueues]):
    """The company's call queues; the data is None until a first good read."""

    settings = QUEUES_READ

    @classmethod
    @override
    async def async_read_first(
        cls,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> Self | None:
        """Read the call queues once; None when the account may not read them.

        A first read that failed for a passing reason is followed by reads until one
        finds the queues, whether a sensor listens or not.
        """
        coordinator = await super().async_read_first(hass, config_entry, client)
        if coordinator is not None and coordinator.data is None:
            coordinator.async_read_until_found()
        return coordinator

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> None:
        """Create the coordinator of one account."""
        super().__init__(hass, config_entry, client)
        self._read_watchers: list[CALLBACK_TYPE] = []

    @override
    async def _async_read(self) -> CallQueues:
        """Read the company's call queues."""
        queues, complete = await self.client.get_call_queues(max_pages=QUEUES_MAX_PAGES)
        return CallQueues(queues=queues, complete=complete)

    @override
    async def _async_read_done(self, data: CallQueues, started: float) -> CallQueues:
        """Keep what was read."""
        return data

    @callback
    def async_watch_reads(self, watcher: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``watcher`` after each read; unlike a listener, it makes no read happen."""
        self._read_watchers.append(watcher)

        @callback
        def remove() -> None:
            self._read_watchers.remove(watcher)

        return remove

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        """Tell the watchers a read is over (queues may have come or gone)."""
        for watcher in list(self._read_watchers):
            watcher()

    @callback
    def async_read_until_found(self) -> None:
        """Read on, whether a sensor listens or not, until a read finds the queues."""

        @callback
        def found() -> None:
            if self.data is not None:
                stop()

        stop = self.async_add_listener(found)
