"""The account's one rate limit and the growing pauses of failing reads, without Home Assistant.

Every read of an account (call status, which phone rings, the subscription of call
notifications) shares one ``RateLimit``: when the platform answers 429 to any of them, all
of them wait. Each read that can fail keeps a ``Backoff`` of its own.
"""

from __future__ import annotations

from collections.abc import Callable


class RateLimit:
    """One account's rate limit: nothing is asked of the platform until the pause ends.

    ``clock`` is a monotonic clock in seconds (the event loop's).
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
