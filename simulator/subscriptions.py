"""The simulator's call notification subscriptions: which URLs an account's calls go to.

``POST /api/callnotification/callnotification/`` subscribes a URL (``event: custom``);
``DELETE .../{id}/`` (also without the trailing slash, as the platform's Zapier app
sends it) removes one. ``GET /simulator/subscriptions`` (not the platform's) counts them.
Faults: ``simulator.inject("subscribe", ...)`` and ``"unsubscribe"``.
"""

from __future__ import annotations

from dataclasses import dataclass
import itertools
from typing import Any

from aiohttp import web
from yarl import URL

from .accounts import Account
from .core import Platform, endpoint, no_permission

CALL_NOTIFICATION_PATH = "/api/callnotification/callnotification/"


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A call notification subscription: where the account's calls are pushed to."""

    id: str
    email: str
    target_url: str


class Subscriptions:
    """The subscribed URLs of every account, and the paths that change them."""

    def __init__(self, platform: Platform) -> None:
        """Start with no subscription."""
        self.platform = platform
        self.subscriptions: dict[str, Subscription] = {}
        self._ids = itertools.count(1)

    def add_routes(self, app: web.Application) -> None:
        """Serve subscribing, unsubscribing and the count on ``app``."""
        app.router.add_post(CALL_NOTIFICATION_PATH, self._subscribe)
        app.router.add_delete(f"{CALL_NOTIFICATION_PATH}{{id}}/", self._unsubscribe)
        app.router.add_delete(f"{CALL_NOTIFICATION_PATH}{{id}}", self._unsubscribe)
        app.router.add_get("/simulator/subscriptions", self._count)

    def of(self, email: str | None = None) -> list[Subscription]:
        """Return the subscriptions of one account, or of every account."""
        return [
            subscription
            for subscription in self.subscriptions.values()
            if email is None or subscription.email == email
        ]

    @endpoint("subscribe")
    async def _subscribe(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """POST /api/callnotification/callnotification/."""
        if not account.may_use_call_notifications:
            return no_permission()
        target_url = body.get("target_url") if isinstance(body, dict) else None
        if not isinstance(target_url, str) or URL(target_url).scheme not in (
            "http",
            "https",
        ):
            return web.json_response({"target_url": ["Enter a valid URL."]}, status=400)
        if body.get("event") != "custom":
            return web.json_response({"event": ["Select a valid choice."]}, status=400)
        subscription = Subscription(
            id=str(next(self._ids)), email=account.email, target_url=target_url
        )
        self.subscriptions[subscription.id] = subscription
        return web.json_response(
            {"id": int(subscription.id), "target_url": target_url, "event": "custom"},
            status=201,
        )

    @endpoint("unsubscribe")
    async def _unsubscribe(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """DELETE /api/callnotification/callnotification/{id}/."""
        subscription = self.subscriptions.get(request.match_info["id"])
        if subscription is None or subscription.email != account.email:
            return web.json_response({"detail": "Not found."}, status=404)
        del self.subscriptions[subscription.id]
        return web.Response(status=204)

    async def _count(self, request: web.Request) -> web.StreamResponse:
        """GET /simulator/subscriptions: how many URLs calls are pushed to (not the URLs)."""
        return web.json_response({"count": len(self.subscriptions)})
