"""The simulator's caller-ID numbers: the numbers an account may show to those it calls.

``GET /api/v2/clients/{client_uuid}/callerid_numbers`` (``Authorization: Bearer <api
token>``, pages ``page`` from 1 and ``per_page``) answers ``{"items": [...], "page": ...,
"per_page": ..., "total": ...}`` with each number of ``Account.caller_ids``; another
company's uuid answers 404, a partner account 403. Faults:
``simulator.inject("caller_ids", ...)``.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .core import Platform

CALLER_ID_PATH = "/api/v2/clients/{client_uuid}/callerid_numbers"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


class CallerIds:
    """Serves the caller-ID numbers of the simulator's accounts."""

    def __init__(self, platform: Platform) -> None:
        """Serve ``platform``'s users; add the fault queue."""
        self.platform = platform
        # The query of every request, in order.
        self.queries: list[dict[str, str]] = []
        platform.faults.setdefault("caller_ids", deque())

    def add_routes(self, app: web.Application) -> None:
        """Serve the caller-ID numbers on ``app``."""
        app.router.add_get(CALLER_ID_PATH, self._list)

    async def _list(self, request: web.Request) -> web.StreamResponse:
        """GET /api/v2/clients/{client_uuid}/callerid_numbers."""
        self.queries.append(dict(request.query))
        response, account = await self.platform.answer_bearer(request, "caller_ids")
        if response is not None:
            return response
        assert account is not None
        if account.partner:
            return web.json_response({"detail": "Forbidden"}, status=403)
        if request.match_info["client_uuid"] != account.client_uuid:
            return web.json_response({"detail": "Not found."}, status=404)
        try:
            page = int(request.query.get("page", 1))
            per_page = int(request.query.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            return web.json_response({"detail": "Invalid page."}, status=400)
        if page < 1 or not 0 < per_page <= MAX_PER_PAGE:
            return web.json_response({"detail": "Invalid page."}, status=400)
        numbers = account.caller_ids
        first = (page - 1) * per_page
        return web.json_response(
            {
                "items": numbers[first : first + per_page],
                "page": page,
                "per_page": per_page,
                "total": len(numbers),
            }
        )
