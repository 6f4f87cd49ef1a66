"""Tests of the simulator's wall clock, set with ``python -m simulator --now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from simulator import DEFAULT_EMAIL, Simulator, wall_clock_at
from simulator.__main__ import parse_args

AMSTERDAM_WINTER = timezone(timedelta(hours=1))
JUST_AFTER_MIDNIGHT = datetime(2026, 12, 8, 0, 20, tzinfo=AMSTERDAM_WINTER)
NOON = datetime(2026, 12, 8, 12, 0, tzinfo=AMSTERDAM_WINTER)


def test_now_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--now`` (or $SIMULATOR_NOW) is a moment with its offset; without, the real time."""
    monkeypatch.delenv("SIMULATOR_NOW", raising=False)
    assert parse_args([]).now is None
    assert parse_args(["--now", "2026-12-08T00:20:00+01:00"]).now == (
        JUST_AFTER_MIDNIGHT
    )
    monkeypatch.setenv("SIMULATOR_NOW", "2026-12-07T23:20:00Z")
    assert parse_args([]).now == JUST_AFTER_MIDNIGHT


def test_now_needs_an_offset(capsys: pytest.CaptureFixture[str]) -> None:
    """A moment without an offset from UTC is refused, saying why."""
    with pytest.raises(SystemExit):
        parse_args(["--now", "2026-12-08T00:20:00"])
    assert "has no offset from UTC" in capsys.readouterr().err


def test_wall_clock_runs_on() -> None:
    """The wall clock shows the moment given, then runs on with the seconds clock."""
    seconds = [5000.0]
    clock = wall_clock_at(NOON, lambda: seconds[0])
    assert clock() == NOON
    seconds[0] += 90.5
    assert clock() == NOON + timedelta(seconds=90.5)


def test_scripted_history_at_the_moment() -> None:
    """The scripted calls of the day are dated from the simulator's wall clock."""
    simulator = Simulator(wall_clock=wall_clock_at(NOON))
    simulator.add_account()

    starts = [call.start for call in simulator.history.calls(DEFAULT_EMAIL)]

    hours = [(NOON - start) / timedelta(hours=1) for start in starts]
    assert [round(hour, 3) for hour in hours] == [1, 2, 3, 26]
    assert all(start.astimezone(UTC).date() <= NOON.date() for start in starts)
