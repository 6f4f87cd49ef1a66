"""The user's call history: the v2 call list, the older v1 records, and which to ask.

The v2 list tells a call answered by a colleague from a missed one; v1 cannot, so v2 is
asked whenever it may answer. Only a lasting 404 of v2 (``V2_MISSING_READS`` reads in a
row) makes the client ask v1 directly, and then for ``V2_RETRY_AFTER`` seconds only: v2 is
tried again after that. A 401 or 403 of v2 (its Bearer authorization refused) reads v1 for
that read only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Final

from .core import VoipgridCore
from .errors import VoipgridAuthenticationError, VoipgridNotFoundError
from .history import (
    CallHistory,
    HistoryApi,
    HistoryCall,
    HistoryPage,
    amsterdam_time,
    parse_v1_page,
    parse_v2_page,
)

# The user's own calls: the newer list (Bearer auth, pages from 1) and the older records.
CALL_HISTORY_V2_PATH: Final = "/api/v2/call/personalized"
CALL_HISTORY_V1_PATH: Final = "/api/cdr/record/personalized/"
# Reads in a row whose v2 list answered 404 before v1 is asked directly.
V2_MISSING_READS: Final = 3
# How long v1 is then asked directly before v2 is tried again (seconds).
V2_RETRY_AFTER: Final = 3600.0


class CallListChoice:
    """Which call list a read asks first, from how v2 answered the reads before.

    ``clock`` is a monotonic clock in seconds.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        """Start by asking v2."""
        self._clock = clock
        # The call list that answered last; None until one did.
        self.answered: HistoryApi | None = None
        # Reads in a row whose v2 list answered 404.
        self._missing = 0
        self._v1_until = 0.0

    def ask_v2(self) -> bool:
        """Return whether this read asks v2 first."""
        return self._missing < V2_MISSING_READS or self._clock() >= self._v1_until

    def v2_answered(self) -> None:
        """Take in that v2 answered: it is asked first from now on."""
        self._missing = 0
        self.answered = HistoryApi.V2

    def v2_missing(self) -> None:
        """Take in that v2 answered 404; once it lasts, ask v1 directly for a while."""
        self._missing += 1
        if self._missing >= V2_MISSING_READS:
            self._v1_until = self._clock() + V2_RETRY_AFTER


class CallHistoryRequests(VoipgridCore):
    """The requests of the user's call history."""

    @cached_property
    def _call_lists(self) -> CallListChoice:
        """Return the choice of call list of this client."""
        return CallListChoice(self._clock)

    @property
    def history_api(self) -> HistoryApi | None:
        """Return the call list that answered last; None until one did."""
        return self._call_lists.answered

    async def get_call_history(
        self,
        since: datetime,
        *,
        per_page: int = 50,
        max_pages: int = 10,
    ) -> CallHistory:
        """Return the user's calls, newest first, reading pages back to ``since`` at least.

        Every call on the pages read is returned, also older ones. The v2 list is asked
        first; when it is not there (404) or refuses its Bearer authorization (401, 403),
        the v1 records are (see the module for when v1 is asked directly).
        """
        choice = self._call_lists
        if choice.ask_v2():
            try:
                history = await self._call_history_v2(since, per_page, max_pages)
            except VoipgridNotFoundError:
                choice.v2_missing()
            except VoipgridAuthenticationError:
                pass  # v1 takes the usual Token header: it may still answer
            else:
                choice.v2_answered()
                return history
        history = await self._call_history_v1(since, per_page, max_pages)
        choice.answered = HistoryApi.V1
        return history

    async def get_call_history_v2_page(
        self, page: int, per_page: int, *, answered: bool | None = None
    ) -> HistoryPage:
        """Return one page (from 1) of ``GET /api/v2/call/personalized``, newest first."""
        params = {"page": str(page), "per_page": str(per_page)}
        if answered is not None:
            params["answered"] = "true" if answered else "false"
        return parse_v2_page(
            await self._request(
                "GET", CALL_HISTORY_V2_PATH, params=params, authorization=self._bearer
            )
        )

    async def get_call_history_v1_page(
        self,
        *,
        since: datetime,
        until: datetime | None = None,
        limit: int,
        offset: int = 0,
    ) -> HistoryPage:
        """Return one page of ``GET /api/cdr/record/personalized/`` after ``since``.

        The dates are sent in Amsterdam local time, as the platform writes them.
        """
        params = {
            "limit": str(limit),
            "offset": str(offset),
            "call_date__gt": amsterdam_time(since),
        }
        if until is not None:
            params["call_date__lt"] = amsterdam_time(until)
        return parse_v1_page(
            await self._request("GET", CALL_HISTORY_V1_PATH, params=params)
        )

    async def _call_history_v2(
        self, since: datetime, per_page: int, max_pages: int
    ) -> CallHistory:
        """Read v2 pages until one reaches back to ``since``, is short, or is the last."""
        calls: list[HistoryCall] = []
        skipped = 0
        for number in range(1, max_pages + 1):
            try:
                page = await self.get_call_history_v2_page(number, per_page)
            except VoipgridNotFoundError:
                if number == 1:
                    raise
                # Past the last page (a page number the list does not have).
                break
            calls.extend(page.calls)
            skipped += page.skipped
            if page.size < per_page or any(call.start <= since for call in page.calls):
                break
        else:
            return _history(calls, HistoryApi.V2, skipped, complete=False)
        return _history(calls, HistoryApi.V2, skipped)

    async def _call_history_v1(
        self, since: datetime, limit: int, max_pages: int
    ) -> CallHistory:
        """Read v1 pages of the calls after ``since`` until the last one."""
        calls: list[HistoryCall] = []
        skipped = 0
        for number in range(max_pages):
            page = await self.get_call_history_v1_page(
                since=since, limit=limit, offset=number * limit
            )
            calls.extend(page.calls)
            skipped += page.skipped
            if page.size < limit or page.has_next is False:
                break
        else:
            return _history(calls, HistoryApi.V1, skipped, complete=False)
        return _history(calls, HistoryApi.V1, skipped)


def _history(
    calls: list[HistoryCall], api: HistoryApi, skipped: int, *, complete: bool = True
) -> CallHistory:
    """Return the calls read, each once (a call can move to the next page while paging)."""
    unique = {call.id: call for call in calls}
    return CallHistory(
        calls=tuple(sorted(unique.values(), key=lambda call: call.start, reverse=True)),
        api=api,
        skipped=skipped,
        complete=complete,
    )
