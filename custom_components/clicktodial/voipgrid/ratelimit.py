"""The account's one rate limit and the growing pauses of failing reads.

The client keeps one ``RateLimit`` per account: when the platform answers 429 to any
request, nothing more is sent until its Retry-After has passed. Each read that can fail
keeps a ``Backoff`` of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

DEFAULT_RETRY_AFTER: Final = 60.0
MAX_RETRY_AFTER: Final = 3600.0


def retry_after_seconds(header: str | None) -> float:
    """Return the seconds a Retry-After header asks for (default 60, at most an hour)."""
    if header:
        try:
            seconds = float(header)
        except ValueError:
            pass
        else:
            if seconds >= 0:  # also False for NaN
                return min(seconds, MAX_RETRY_AFTER)
    return DEFAULT_RETRY_AFTER


class RateLimit:
    """One account's rate limit: nothing is asked of the platform until the pause ends.

    ``clock`` is a monotonic clock in seconds.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        """Start without a pause."""
        self._clock = clock
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Ask nothing of the platform for ``seconds`` (it rate limits the account)."""
        self.paused_until = max(self.paused_until, self._clock() + seconds)

    def paused_for(self) -> float:
        """Return how many more seconds nothing is to be asked of the platform (0: none)."""
        return max(self.paused_until - self._clock(), 0.0)


class Backoff:
    """Pauses between tries of a failing read: ``initial``, then doubling up to ``maximum``."""

    def __init__(self, initial: float, maximum: float) -> None:
        """Start with nothing failing."""
        self._initial = initial
        self._maximum = maximum
        self.failures = 0
        # When the run of failures began (clock seconds), None while nothing fails.
        self.failing_since: float | None = None

    def fail(self, now: float) -> float:
        """Count a failure at clock time ``now``; return how long to wait before the next try."""
        self.failures += 1
        if self.failing_since is None:
            self.failing_since = now
        return float(min(self._initial * 2 ** (self.failures - 1), self._maximum))

    def reset(self) -> None:
        """Forget the failures: the read worked."""
        self.failures = 0
        self.failing_since = None
