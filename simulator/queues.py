"""The simulator's call queues: how many callers wait in each of the company's queues.

``GET /api/queuecallgroup/`` (``Token`` auth; ``limit``, ``offset``) lists them as
``{"meta": ..., "objects": [...]}``, each with ``queue_size`` as a string, as the
platform's older browser plugin read them. Every account sees the same two queues,
``Sales`` (801) and ``Support`` (802), empty at first; partner accounts get 403, and the
accounts in ``without_queues`` 404. ``POST /simulator/queue`` (``python -m simulator
queue --add 2 sales``) makes callers wait or leave. Faults:
``simulator.inject("queues", ...)``.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .core import endpoint

if TYPE_CHECKING:
    from .accounts import Account
    from .core import Platform

QUEUE_PATH = "/api/queuecallgroup/"
DEFAULT_LIMIT = 20
MAX_LIMIT = 500
DEMO_QUEUES: tuple[dict[str, Any], ...] = (
    {"id": 11, "description": "Sales", "internal_number": 801},
    {"id": 12, "description": "Support", "internal_number": 802},
)


class CallQueues:
    """The company's call queues and the callers waiting in them."""

    def __init__(self, platform: Platform) -> None:
        """Serve the queues to ``platform``'s users; add the fault queue."""
        self.platform = platform
        self.queues: list[dict[str, Any]] = [
            {**queue, "waiting": 0} for queue in DEMO_QUEUES
        ]
        # Accounts whose platform has no queue list for them (it answers 404).
        self.without_queues: set[str] = set()
        platform.faults.setdefault("queues", deque())

    def add_routes(self, app: web.Application) -> None:
        """Serve the queue list, and the simulator's own way to change it, on ``app``."""
        app.router.add_get(QUEUE_PATH, self._list)
        app.router.add_post("/simulator/queue", self._change)

    def find(self, name: str) -> dict[str, Any] | None:
        """Return the queue of a description, internal number or id, in any case."""
        wanted = name.strip().casefold()
        return next(
            (
                queue
                for queue in self.queues
                if wanted
                in (
                    str(queue["description"]).casefold(),
                    str(queue["internal_number"]),
                    str(queue["id"]),
                )
            ),
            None,
        )

    def add(self, name: str, callers: int) -> dict[str, Any]:
        """Make ``callers`` more callers wait in a queue (fewer when negative); return it."""
        queue = self.find(name)
        if queue is None:
            raise KeyError(name)
        queue["waiting"] = max(queue["waiting"] + callers, 0)
        return queue

    def set(self, name: str, callers: int) -> dict[str, Any]:
        """Make exactly ``callers`` callers wait in a queue; return it."""
        queue = self.find(name)
        if queue is None:
            raise KeyError(name)
        queue["waiting"] = max(callers, 0)
        return queue

    def records(self) -> list[dict[str, Any]]:
        """Return the queues as the platform lists them."""
        return [
            {
                "id": queue["id"],
                "description": queue["description"],
                "internal_number": queue["internal_number"],
                "queue_size": str(queue["waiting"]),
                "resource_uri": f"{QUEUE_PATH}{queue['id']}/",
            }
            for queue in self.queues
        ]

    @endpoint("queues", users_only=True)
    async def _list(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """GET /api/queuecallgroup/."""
        if account.email in self.without_queues:
            return web.json_response({"detail": "Not found."}, status=404)
        try:
            limit = int(request.query.get("limit", DEFAULT_LIMIT))
            offset = int(request.query.get("offset", 0))
        except ValueError:
            return web.json_response({"error": "limit and offset: numbers"}, status=400)
        if not 0 < limit <= MAX_LIMIT or offset < 0:
            return web.json_response(
                {"error": "limit or offset out of range"}, status=400
            )
        records = self.records()
        more = offset + limit < len(records)
        return web.json_response(
            {
                "meta": {
                    "limit": limit,
                    "offset": offset,
                    "total_count": len(records),
                    "next": f"{QUEUE_PATH}?limit={limit}&offset={offset + limit}"
                    if more
                    else None,
                    "previous": None,
                },
                "objects": records[offset : offset + limit],
            }
        )

    async def _change(self, request: web.Request) -> web.StreamResponse:
        """POST /simulator/queue: ``{"queue": "sales", "add": 2}`` (or ``"set": 0``).

        Not part of the platform. Answers the queue's description and its callers.
        """
        try:
            body = await request.json() if request.can_read_body else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("queue"), str):
            return web.json_response({"error": "a JSON object with queue"}, status=400)
        change = {key: body[key] for key in ("add", "set") if key in body}
        if len(change) != 1 or not all(
            isinstance(value, int) and not isinstance(value, bool)
            for value in change.values()
        ):
            return web.json_response(
                {"error": "one of add or set, a whole number"}, status=400
            )
        try:
            if "add" in change:
                queue = self.add(body["queue"], change["add"])
            else:
                queue = self.set(body["queue"], change["set"])
        except KeyError:
            names = sorted(str(queue["description"]) for queue in self.queues)
            return web.json_response(
                {"error": f"no such queue; one of {names}"}, status=404
            )
        return web.json_response(
            {"queue": queue["description"], "waiting": queue["waiting"]}
        )
