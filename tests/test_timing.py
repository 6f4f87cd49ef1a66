"""Tests of moved time (``tests/timing.py``): a timer is reached on its own microsecond."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest

from homeassistant.core import HomeAssistant

from .timing import FrozenClock

# Other timers between two reads, seconds after the read: as Home Assistant's own timers
# and a coordinator's random microsecond make them.
BETWEEN = (0.1234567, 0.3, 1e-7, 0.5000004, 1.2345678, 0.0000015)


@pytest.mark.parametrize(
    "start",
    [
        "2026-12-07 00:05:54.242496",
        "2026-12-07 00:06:03.218469",
        "2026-06-01 12:00:00.999999",
        "2027-01-31 23:59:59.000001",
    ],
)
async def test_move_to_lands_on_the_timer(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, start: str
) -> None:
    """A poll planned 2 s after a read is reached exactly, whatever ran in between.

    Whatever the start time: loop times are floats of about 2e9 s, where a difference
    is off by up to a quarter of a microsecond.
    """
    freezer.move_to(start)
    clock = FrozenClock(hass, freezer)
    for between in BETWEEN * 20:
        read = hass.loop.time()
        clock.move_to(read + between)
        assert 0 <= hass.loop.time() - (read + between) < 1.5e-6
        planned = read + 2.0
        clock.move_to(planned)
        assert hass.loop.time() == planned


async def test_move_to_moves(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Moving to a time already reached still moves a microsecond: time never stalls."""
    clock = FrozenClock(hass, freezer)
    now = hass.loop.time()
    clock.move_to(now - 5)
    assert hass.loop.time() == pytest.approx(now + 1e-6, abs=3e-7)
