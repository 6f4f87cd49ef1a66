"""The simulator: a real aiohttp server that behaves like the platform's click-to-dial API.

``Simulator`` is the platform (``core.Platform``: users, clocks, recorded requests,
faults) with every resource's paths, each served by a module of its own; its methods are
the ones tests, the benchmark and the demo use.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
import time
from typing import Any

from aiohttp import web
from yarl import URL

from .caller_ids import CallerIds
from .calls import PUSH_LAG, ClickToDialCalls, SimulatedCall
from .core import ENDPOINTS, Platform, RecordedRequest
from .destinations import UserDestinations
from .history import SimulatedHistory
from .notifications import CALLER_NAME, script_notifications
from .phones import PhoneRegistrations
from .pushes import CallPushes, Delivery
from .queues import CallQueues
from .scenarios import Timeline
from .subscriptions import Subscription, Subscriptions

__all__ = ["ENDPOINTS", "PUSH_LAG", "RecordedRequest", "Simulator"]


class Simulator(Platform):
    """The platform's click-to-dial API on a real HTTP server, with faults and a clock."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        post_status: int = 201,
        push_started_calls: bool = False,
    ) -> None:
        """Create an empty platform; add accounts before use.

        With ``push_started_calls``, the click-to-dial calls started here are pushed to
        the account's subscribed URLs as outgoing calls, as the platform pushes every
        call of the account (the demo does; tests choose).
        """
        super().__init__(clock=clock, wall_clock=wall_clock)
        self.subscribed = Subscriptions(self)
        self.pushes = CallPushes(self, self.subscribed)
        self.click_to_dial = ClickToDialCalls(
            self, self.pushes, post_status=post_status
        )
        self.click_to_dial.push_started_calls = push_started_calls
        self.destinations = UserDestinations(self)
        self.history = SimulatedHistory(self, self.click_to_dial)
        self.phones = PhoneRegistrations(self)
        self.pushes.colleague = self.phones.colleague
        self.pushes.add_to_history = self.history.add_pushed
        self.queues = CallQueues(self)
        self.caller_ids = CallerIds(self)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- the server -----------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """Return the aiohttp application serving the API."""
        app = web.Application()
        self.add_routes(app)
        for resource in (
            self.click_to_dial,
            self.destinations,
            self.subscribed,
            self.pushes,
            self.history,
            self.phones,
            self.queues,
            self.caller_ids,
        ):
            resource.add_routes(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port) and return the base URL."""
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = str(URL.build(scheme="http", host=host, port=port))
        return self.url

    async def stop(self) -> None:
        """Stop serving, and playing scripted calls."""
        await self.pushes.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- click-to-dial calls --------------------------------------------------------------

    @property
    def calls(self) -> dict[str, SimulatedCall]:
        """Return the calls started, by call id."""
        return self.click_to_dial.calls

    @property
    def push_started_calls(self) -> bool:
        """Return whether calls started here are pushed to the subscribed URLs."""
        return self.click_to_dial.push_started_calls

    @push_started_calls.setter
    def push_started_calls(self, push: bool) -> None:
        """Push the calls started from now on, or not."""
        self.click_to_dial.push_started_calls = push

    @property
    def post_status(self) -> int:
        """Return the HTTP status that answers a call started."""
        return self.click_to_dial.post_status

    @post_status.setter
    def post_status(self, status: int) -> None:
        """Answer the calls started from now on with this HTTP status."""
        self.click_to_dial.post_status = status

    @property
    def hang_up_refusal(self) -> int | None:
        """Return the HTTP status that refuses stopping a call (None: calls stop)."""
        return self.click_to_dial.hang_up_refusal

    @hang_up_refusal.setter
    def hang_up_refusal(self, status: int | None) -> None:
        """Refuse stopping calls from now on with this HTTP status, or stop them."""
        self.click_to_dial.hang_up_refusal = status

    @property
    def next_timelines(self) -> deque[Timeline]:
        """Return the timelines the next calls play, whatever their number."""
        return self.click_to_dial.next_timelines

    def script_next_call(self, timeline: Timeline) -> None:
        """Play this timeline for the next call started, whatever its number."""
        self.click_to_dial.next_timelines.append(timeline)

    def status_of(self, call_id: str) -> str | None:
        """Return the raw status a call has now."""
        return self.click_to_dial.status_of(call_id)

    # -- call notifications ---------------------------------------------------------------

    @property
    def subscriptions(self) -> dict[str, Subscription]:
        """Return the call notification subscriptions, by id."""
        return self.subscribed.subscriptions

    @property
    def deliveries(self) -> list[Delivery]:
        """Return every notification POSTed, in order."""
        return self.pushes.deliveries

    def subscriptions_of(self, email: str | None = None) -> list[Subscription]:
        """Return the subscriptions of one account, or of every account."""
        return self.subscribed.of(email)

    async def notify(
        self, body: dict[str, Any], *, email: str | None = None
    ) -> list[int | None]:
        """POST one notification to every subscribed URL; return each HTTP status."""
        return await self.pushes.notify(body, email=email)

    async def delivered(self) -> None:
        """Wait until no notification is on its way."""
        await self.pushes.delivered()

    def new_notified_call_id(self) -> str:
        """Return a call id the way the platform writes them."""
        return self.pushes.new_call_id()

    def notifications(
        self,
        script: str = "missed",
        *,
        call_id: str | None = None,
        caller_number: str | None = None,
        caller_name: str | None = CALLER_NAME,
        available: bool = True,
        to: str | None = None,
    ) -> list[tuple[float, dict[str, Any]]]:
        """Return a script's notifications with the seconds after now each is sent."""
        return script_notifications(
            script,
            call_id=call_id or self.new_notified_call_id(),
            start=self.wall_clock(),
            caller_number=caller_number,
            caller_name=caller_name,
            available=available,
            to=to,
            colleague=None if to is None else self.phones.colleague(to),
        )

    async def ring(self, script: str = "missed", **kwargs: Any) -> str:
        """Play a scripted call to the subscribed URLs (``CallPushes.ring``)."""
        return await self.pushes.ring(script, **kwargs)

    def start_ring(self, script: str = "missed", **kwargs: Any) -> str:
        """Play a scripted call in the background; return its call id."""
        return self.pushes.start_ring(script, **kwargs)

    async def wait_played(self) -> None:
        """Wait until every call played in the background has been played."""
        await self.pushes.wait_played()
