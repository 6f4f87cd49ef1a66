"""A slow polled read of one account that keeps its last data through failures for a while.

Which phone rings and the call history are each read by a coordinator of their own, beside
call tracking: their failures never touch the other entities. Each waits for the account's
one rate limit (the client's: a 429 anywhere pauses every read) and keeps a growing pause of
its own after failures, which no one asking for a read cuts short. The last data is kept
through failed reads until they have failed for too long; a first read answered 404 or 403
means the account has no such feature.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Self, override

from custom_components.clicktodial.const import DOMAIN, LOGGER
from custom_components.clicktodial.errors import auth_failed
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    Backoff,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridError,
    VoipgridNotFoundError,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed


@dataclass(frozen=True, kw_only=True)
class PolledReadSettings:
    """What sets one polled read apart: its timing, its errors and its log lines."""

    # The coordinator's name after the domain.
    name: str
    # What is read, for log lines: "Reading <what> failed".
    what: str
    # The log line (with the error as %s) when a first read finds no such feature.
    unsupported: str
    interval: timedelta
    # The first pause after a failure; it doubles up to ``interval``.
    backoff_initial: timedelta
    # Failed reads keep the last data this long; then the coordinator fails.
    unavailable_after: timedelta
    # How early a read may come (Home Assistant runs a timer up to a second early).
    slack: float
    # The error while nothing was ever read.
    not_read: Callable[[], UpdateFailed]
    # The error once reads failed for ``unavailable_after``.
    unavailable: Callable[[], UpdateFailed]
    # Whether a 401 means the token is no longer accepted (re-authentication). Paths
    # with v2 take the token as a Bearer: their 401 may refuse only that header.
    reauth_on_401: bool = True


class PolledReadCoordinator[DataT](DataUpdateCoordinator[DataT | None]):
    """One account's polled read; the data is None until a first good read.

    ``supported`` turns False when the first read finds no such feature (the data stays
    None); the coordinator is then not used. Each read names its ``settings``.
    """

    config_entry: ClickToDialConfigEntry
    settings: ClassVar[PolledReadSettings]

    @classmethod
    async def async_read_first(
        cls,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> Self | None:
        """Create the coordinator and read once; None when there is no such feature."""
        return await cls(hass, config_entry, client).async_read_once()

    async def async_read_once(self) -> Self | None:
        """Read for the first time; return the coordinator, or None: no such feature."""
        await self.async_refresh()
        return self if self.supported else None

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> None:
        """Create the coordinator of one account."""
        settings = self.settings
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=f"{DOMAIN} {settings.name}",
            update_interval=settings.interval,
            always_update=False,
        )
        self.client = client
        self._settings = settings
        self.supported = True
        self._first_read = True
        self._backoff = Backoff(
            settings.backoff_initial.total_seconds(),
            settings.interval.total_seconds(),
        )
        # No read before this clock time (after a failure), whoever asks for one.
        self._not_before = 0.0

    @abstractmethod
    async def _async_read(self) -> DataT:
        """Read from the platform; a ``VoipgridError`` is a failed read."""

    @abstractmethod
    async def _async_read_done(self, data: DataT, started: float) -> DataT:
        """Finish a good read begun at clock time ``started``; return the data to keep."""

    def _read_at(self) -> float:
        """Return the clock time before which no read is made (now or earlier: read)."""
        return self._not_before

    @override
    async def _async_update_data(self) -> DataT | None:
        """Read, unless paused; keep the last data through failures for a while."""
        settings = self._settings
        started = self.hass.loop.time()
        if (paused := self.client.rate_limit.paused_for()) > 0:
            LOGGER.debug("Rate limited: reading %s in %.0f s", settings.what, paused)
            return self._keep(started, retry_in=paused)
        # An entity update or an early refresh reads no sooner than allowed.
        if (wait := self._read_at() - started) > settings.slack:
            return self._keep(started, retry_in=wait)
        first_read, self._first_read = self._first_read, False
        try:
            data = await self._async_read()
        except VoipgridAuthenticationError as err:
            if err.status == 401 and settings.reauth_on_401:
                raise auth_failed() from err
            return self._failed(err, started, first_read=first_read)
        except VoipgridError as err:
            return self._failed(err, started, first_read=first_read)
        self._backoff.reset()
        self._not_before = 0.0
        self.update_interval = settings.interval
        return await self._async_read_done(data, started)

    def _failed(
        self, err: VoipgridError, started: float, *, first_read: bool
    ) -> DataT | None:
        """Take a failed read into account: retry with backoff, keep the last data."""
        # 404: no such feature; 403 (or a Bearer's 401): no right to it.
        if first_read and isinstance(
            err, (VoipgridNotFoundError, VoipgridAuthenticationError)
        ):
            LOGGER.debug(self._settings.unsupported, err)
            self.supported = False
            return None
        LOGGER.debug("Reading %s failed: %s", self._settings.what, err)
        retry_in = self._backoff.fail(started)
        self._not_before = started + retry_in
        return self._keep(started, retry_in=retry_in)

    def _keep(self, now: float, *, retry_in: float) -> DataT:
        """Keep the last data until the next read, unless reads failed for too long."""
        settings = self._settings
        if (since := self._backoff.failing_since) is not None:
            left = since + settings.unavailable_after.total_seconds() - now
            if left <= settings.slack:
                self._plan(now, retry_in)
                raise settings.unavailable()
            # The read that decides about the outage comes on time.
            retry_in = min(retry_in, left)
        self._plan(now, retry_in)
        if self.data is None:
            raise settings.not_read()
        return self.data

    def _plan(self, now: float, retry_in: float) -> None:
        """Read next in ``retry_in`` seconds, and not sooner whoever asks."""
        self.update_interval = timedelta(seconds=retry_in)
        self._not_before = now + retry_in
