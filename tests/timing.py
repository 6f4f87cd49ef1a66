"""Moved time for the tests, the soak test and the benchmark: one driver, two clocks.

Time moves only when told to. ``TimeDriver`` moves it in fixed steps (``advance``: what
falls due within a step runs at the step's end) or from one scheduled timer to the next
(``run_until``: each timer runs exactly when due, and idle hours cost nothing), and after
every move lets Home Assistant finish all that became due. Nothing sleeps.

The clock it moves is pytest's ``freezer`` (``FrozenClock``), which the event loop and
``utcnow`` follow in tests, or a ``VirtualClock`` (``moved_time``), which the benchmark
uses outside pytest: it replaces the loop's clock and ``utcnow`` at less cost per read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
import contextlib
from datetime import UTC, datetime, timedelta
import math
import os
import threading
from typing import Protocol
from unittest.mock import patch

from freezegun import api as freezegun_api
from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed_exact

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles


class Clock(Protocol):
    """A clock of the event loop that moves only when told to."""

    def move(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""

    def move_to(self, when: float) -> None:
        """Move the clock forward to loop time ``when`` (or just past it)."""


class FrozenClock:
    """Pytest's freezer: it keeps whole microseconds, so a timer is reached, never missed."""

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        """Move ``freezer`` for ``hass``."""
        self.hass = hass
        self.freezer = freezer

    def move(self, seconds: float) -> None:
        """Tick the freezer (rounded up to a microsecond) and fire what is due."""
        micro = math.ceil(round(seconds * 1e6, 3))
        if micro > 0:
            self.freezer.tick(timedelta(microseconds=micro))
        async_fire_time_changed_exact(self.hass)

    def move_to(self, when: float) -> None:
        """Tick the freezer to the first whole microsecond at or after ``when``.

        At least a microsecond. Found by ticking, not by rounding ``when - now``: loop
        times are floats of about 2e9 s, so that difference is off by up to a quarter of
        a microsecond, and rounding it up would land a microsecond late now and then.
        Polls planned from the time of a read would then drift from their plan.
        """
        loop = self.hass.loop
        below = math.floor(round((when - loop.time()) * 1e6, 3)) - 1
        if below > 0:
            self.freezer.tick(timedelta(microseconds=below))
        self.freezer.tick(timedelta(microseconds=1))
        while loop.time() < when:
            self.freezer.tick(timedelta(microseconds=1))
        async_fire_time_changed_exact(self.hass)


class VirtualClock:
    """A clock for the event loop and for ``utcnow`` that moves only when told to."""

    def __init__(self, start: float) -> None:
        """Start at loop time ``start`` and the real wall time of now."""
        self.now = start
        self._origin = start
        self._wall_origin = datetime.now(UTC)

    def time(self) -> float:
        """Return the loop time."""
        return self.now

    def utcnow(self) -> datetime:
        """Return the wall time that goes with the loop time."""
        return self._wall_origin + timedelta(seconds=self.now - self._origin)

    def timestamp(self) -> float:
        """Return the wall time as a POSIX timestamp."""
        return self.utcnow().timestamp()

    def move(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        self.now += seconds

    def move_to(self, when: float) -> None:
        """Move to exactly ``when``."""
        self.now = max(self.now, when)


@contextlib.contextmanager
def moved_time(loop: asyncio.AbstractEventLoop) -> Iterator[VirtualClock]:
    """Drive ``loop`` and Home Assistant's ``utcnow`` by a virtual clock."""
    clock = VirtualClock(loop.time())
    loop.time = clock.time  # type: ignore[method-assign]
    event = "homeassistant.helpers.event"
    try:
        with (
            patch.object(dt_util, "utcnow", clock.utcnow),
            patch(f"{event}.time_tracker_utcnow", clock.utcnow),
            patch(f"{event}.time_tracker_timestamp", clock.timestamp),
            patch("homeassistant.helpers.update_coordinator.utcnow", clock.utcnow),
        ):
            yield clock
    finally:
        del loop.time


def real_time() -> float:
    """Return real seconds, whatever time the freezer shows.

    Looked up on freezegun's module at each call: freezegun replaces the time functions
    that other modules imported while it runs.
    """
    return freezegun_api.real_perf_counter()


_SCHEDSTAT = "/proc/thread-self/schedstat"
# Per thread: the open schedstat file of the thread that opened it.
_schedstat = threading.local()


def unqueued_time() -> float:
    """Return real seconds less those the calling thread waited for a CPU.

    What a busy machine adds to real time is the wait for a CPU (Linux's schedstat, a
    thread's second number): without it, a callback's or a step's duration is its own
    work and its own waits, however many other processes run. Where there is no
    schedstat, real time.
    """
    fd = getattr(_schedstat, "fd", None)
    if fd is None:
        try:
            fd = _schedstat.fd = os.open(_SCHEDSTAT, os.O_RDONLY)
        except OSError:
            fd = _schedstat.fd = -1
    if fd < 0:
        return real_time()
    now = real_time()
    queued_ns = int(os.pread(fd, 128, 0).split()[1])
    return now - queued_ns / 1e9


async def turns_until(until: Callable[[], bool], turns: int = 1000) -> bool:
    """Turn the event loop until ``until()`` holds, at most ``turns`` times: no I/O waited for.

    For what needs only callbacks and tasks, such as a timeout firing in moved time: it
    takes the same turns however busy the machine is. Return whether ``until()`` held.
    """
    for _ in range(turns):
        if until():
            return True
        await asyncio.sleep(0)
    return until()


async def block_till_done(hass: HomeAssistant) -> None:
    """Wait for every task of Home Assistant, background tasks too."""
    await hass.async_block_till_done(wait_background_tasks=True)


class TimeDriver:
    """Move a clock for Home Assistant, letting everything due run after each move."""

    def __init__(
        self,
        hass: HomeAssistant,
        clock: Clock,
        settle: Callable[[HomeAssistant], Awaitable[None]] = block_till_done,
    ) -> None:
        """Drive ``hass`` with ``clock``; ``settle`` waits for what a move started."""
        self.hass = hass
        self.clock = clock
        self._settle = settle
        self.origin = hass.loop.time()
        self.steps = 0
        # The longest a move took (with the work it let run), in real time less the
        # waits for a CPU: what a busy machine adds is not counted.
        self.slowest_step = 0.0

    def elapsed(self) -> float:
        """Return the seconds moved since the driver was made."""
        return self.hass.loop.time() - self.origin

    def next_timer(self) -> float | None:
        """Return when the earliest pending timer of the loop is due."""
        due = [
            handle.when()
            for handle in get_scheduled_timer_handles(self.hass.loop)
            if not handle.cancelled()
        ]
        return min(due, default=None)

    async def settle(self) -> None:
        """Run what is due now, and what it starts, until Home Assistant is idle."""
        # Two turns of the loop: timers the loop found due run in the first.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await self._settle(self.hass)

    async def _step(self, move: Callable[[float], None], to: float) -> None:
        """Move the clock once (``move(to)``) and settle, timing it (``unqueued_time``)."""
        started = unqueued_time()
        move(to)
        await self.settle()
        self.steps += 1
        self.slowest_step = max(self.slowest_step, unqueued_time() - started)

    async def advance(self, seconds: float, step: float = 0.1) -> None:
        """Move forward in fixed steps; what falls due within a step runs at its end."""
        remaining = seconds
        while remaining > 1e-9:
            tick = min(step, remaining)
            await self._step(self.clock.move, tick)
            remaining -= tick

    async def run_until(
        self, end: float, until: Callable[[], bool] | None = None
    ) -> bool:
        """Move from timer to timer up to loop time ``end``; stop once ``until()`` holds.

        Return whether ``until()`` held (False without ``until``).
        """
        await self.settle()
        spins = 0
        while until is None or not until():
            now = self.hass.loop.time()
            when = self.next_timer()
            if when is None or when > end:
                if end > now:
                    await self._step(self.clock.move_to, end)
                return until is not None and until()
            # A timer that stays due without running would never let time move.
            spins = spins + 1 if when <= now else 0
            if spins > 10_000:
                raise RuntimeError("a timer keeps firing without time moving")
            await self._step(self.clock.move_to, when)
        return True

    async def run_for(
        self, seconds: float, until: Callable[[], bool] | None = None
    ) -> bool:
        """Move from timer to timer for ``seconds``; see ``run_until``."""
        return await self.run_until(self.hass.loop.time() + seconds, until)
