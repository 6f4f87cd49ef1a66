"""The simulator pushing calls: scripted calls POSTed to the subscribed URLs, in time.

``ring`` plays a script of ``notifications`` (an incoming or outgoing call) to the
subscribed URLs of one account or of all; ``start_ring`` does so in the background, as
``POST /simulator/ring`` (not the platform's) does for ``python -m simulator ring``. Like
the platform, a delivery that fails is not retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
import itertools
from typing import Any

import aiohttp
from aiohttp import web

from .core import Platform
from .notifications import CALLER_NAME, NOTIFICATION_SCRIPTS, script_notifications
from .subscriptions import Subscriptions


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One notification POSTed to a subscribed URL, and the HTTP status it got."""

    subscription_id: str
    target_url: str
    body: dict[str, Any]
    status: int | None


class CallPushes:
    """Notifications POSTed to the subscribed URLs, and the scripted calls that send them."""

    def __init__(self, platform: Platform, subscriptions: Subscriptions) -> None:
        """Push to the URLs of ``subscriptions``; nothing delivered yet."""
        self.platform = platform
        self.subscriptions = subscriptions
        self.deliveries: list[Delivery] = []
        self.session: aiohttp.ClientSession | None = None
        self._call_ids = itertools.count(1)
        self._plays: set[asyncio.Task[None]] = set()
        # Notifications on their way (``delivered`` waits until there are none).
        self._posting = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # The colleague's phone account with an extension, if known (set by the phones).
        self.colleague: Callable[[str], dict[str, Any] | None] = lambda _number: None
        # Lists a user's own pushed call in their history (set by the call history).
        self.add_to_history: Callable[
            [str, list[tuple[float, dict[str, Any]]]], object
        ] = lambda _email, _steps: None

    def add_routes(self, app: web.Application) -> None:
        """Serve ``POST /simulator/ring`` on ``app``."""
        app.router.add_post("/simulator/ring", self._ring)

    async def notify(
        self, body: dict[str, Any], *, email: str | None = None
    ) -> list[int | None]:
        """POST one notification to every subscribed URL (of one account, or of all).

        Returns the HTTP status of each delivery (None when it failed).
        """
        if self.session is None:
            self.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10)
            )
        self._posting += 1
        self._idle.clear()
        try:
            return [
                await self._post(subscription.id, subscription.target_url, body)
                for subscription in self.subscriptions.of(email)
            ]
        finally:
            self._posting -= 1
            if not self._posting:
                self._idle.set()

    async def _post(
        self, subscription_id: str, target_url: str, body: dict[str, Any]
    ) -> int | None:
        """POST a notification to one URL; return the HTTP status, None on failure."""
        assert self.session is not None
        status: int | None
        try:
            async with self.session.post(
                target_url, json=body, allow_redirects=False
            ) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError, TimeoutError:
            status = None
        self.deliveries.append(
            Delivery(
                subscription_id=subscription_id,
                target_url=target_url,
                body=body,
                status=status,
            )
        )
        return status

    async def delivered(self) -> None:
        """Wait until no notification is on its way (those due later are not waited for)."""
        await self._idle.wait()

    def new_call_id(self) -> str:
        """Return a call id the way the platform writes them."""
        return f"sim-{next(self._call_ids):04d}-{self.platform.wall_clock().timestamp():.8f}"

    async def ring(
        self,
        script: str = "missed",
        *,
        email: str | None = None,
        call_id: str | None = None,
        caller_number: str | None = None,
        caller_name: str | None = CALLER_NAME,
        speed: float = 1.0,
        sleep: Callable[[float], Any] = asyncio.sleep,
        to: str | None = None,
    ) -> str:
        """Play a scripted call: POST its notifications in time; return its call id.

        The call reaches the subscribed URLs of one account (``email``) or of every
        account, each as that account's phone that rings has it: a user who is not
        available gets an inbound call as missed without ringing. ``speed`` 2 plays
        twice as fast; 0 sends every notification at once. ``to`` makes it a colleague's
        call: the phone with that extension rings (or calls out) instead of the user's.
        """
        call_id = call_id or self.new_call_id()
        start = self.platform.wall_clock()
        emails = [email] if email is not None else self._subscribed_emails()
        plays: list[tuple[float, dict[str, Any], str]] = []
        for each in emails:
            account = self.platform.accounts.get(each)
            steps = script_notifications(
                script,
                call_id=call_id,
                start=start,
                caller_number=caller_number,
                caller_name=caller_name,
                # A colleague's call rings the colleague, whoever is available.
                available=account is None or account.available or to is not None,
                to=to,
                colleague=None if to is None else self.colleague(to),
            )
            plays.extend((at, body, each) for at, body in steps)
        plays.sort(key=lambda play: play[0])
        # The user's own calls join their history just before their end is pushed.
        unlisted = (
            set(emails) if NOTIFICATION_SCRIPTS[script].mine and to is None else set()
        )
        elapsed = 0.0
        for at, body, each in plays:
            if speed > 0 and at > elapsed:
                await sleep((at - elapsed) / speed)
                elapsed = at
            if body["status"] == "ended" and each in unlisted:
                unlisted.discard(each)
                self.add_to_history(each, [(a, b) for a, b, e in plays if e == each])
            await self.notify(body, email=each)
        return call_id

    def _subscribed_emails(self) -> list[str]:
        """Return the accounts that have a subscription, in order."""
        return sorted({subscription.email for subscription in self.subscriptions.of()})

    def start_ring(self, script: str = "missed", **kwargs: Any) -> str:
        """Play a scripted call in the background; return its call id."""
        call_id = kwargs.pop("call_id", None) or self.new_call_id()
        self.start_play(self.ring(script, call_id=call_id, **kwargs))
        return call_id

    def start_play(self, play: Coroutine[Any, Any, Any]) -> None:
        """Push notifications in the background until done or stopped."""
        task = asyncio.get_running_loop().create_task(play)
        self._plays.add(task)
        task.add_done_callback(self._plays.discard)

    async def wait_played(self) -> None:
        """Wait until every call played in the background has been played."""
        while self._plays:
            await asyncio.gather(*self._plays)

    async def stop(self) -> None:
        """Stop playing, and close the session that posts."""
        for task in list(self._plays):
            task.cancel()
        await asyncio.gather(*self._plays, return_exceptions=True)
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def _ring(self, request: web.Request) -> web.StreamResponse:
        """POST /simulator/ring: play a scripted call to the subscribed URLs.

        The JSON body may name ``script`` (default ``missed``), ``email`` (default: every
        account), ``caller_number``, ``caller_name``, ``to`` (a colleague's extension) and
        ``speed``; not part of the platform.
        """
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.json_response({"error": "a JSON object, please"}, status=400)
        script = body.get("script", "missed")
        if script not in NOTIFICATION_SCRIPTS:
            error = f"unknown script; one of {sorted(NOTIFICATION_SCRIPTS)}"
            return web.json_response({"error": error}, status=400)
        kwargs = {
            key: body[key]
            for key in ("email", "caller_number", "caller_name", "to")
            if isinstance(body.get(key), str)
        }
        speed = body.get("speed", 1.0)
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or speed < 0:
            return web.json_response({"error": "speed must be >= 0"}, status=400)
        call_id = self.start_ring(script, speed=float(speed), **kwargs)
        subscribed = len(self.subscriptions.of(kwargs.get("email")))
        return web.json_response(
            {"call_id": call_id, "script": script, "subscriptions": subscribed},
            status=202,
        )
