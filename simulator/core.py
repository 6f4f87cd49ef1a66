"""What every endpoint of the simulator shares: its users, clocks, recorded requests and faults.

Each resource (calls, destinations, call notifications, history, phones) is a module of
its own that serves its paths with the ``Platform`` it is given: a request is recorded,
an injected fault is served and the user is authenticated there, in one place.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import functools
import itertools
import json
import time
from typing import Any, Protocol

from aiohttp import web

from .accounts import DEFAULT_EMAIL, DEFAULT_TOKEN, Account

# The endpoints of the platform's click-to-dial API; resources add their own.
ENDPOINTS = (
    "profile",
    "start_call",
    "get_call",
    "hang_up",
    "get_destinations",
    "set_destination",
    "subscribe",
    "unsubscribe",
)
PROFILE_PATH = "/api/permission/systemuser/profile/"


@dataclass(frozen=True, kw_only=True)
class Fault:
    """What the simulator answers instead of the normal answer, once per injection."""

    status: int | None = None
    body: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    hold: asyncio.Event | None = None

    @classmethod
    def http(
        cls, status: int, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> Fault:
        """Answer with this status and JSON body."""
        return cls(status=status, body=body, headers=headers or {})

    @classmethod
    def rate_limited(cls, retry_after: str | None = "30") -> Fault:
        """Answer 429, with Retry-After when given."""
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        return cls(
            status=429, body={"detail": "Request was throttled."}, headers=headers
        )

    @classmethod
    def malformed(cls, status: int = 200) -> Fault:
        """Answer with a body that is not JSON."""
        return cls(status=status, text="<html>Bad gateway</html>{")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer normally, after this many seconds (of the event loop's clock)."""
        return cls(delay=seconds)

    @classmethod
    def held(cls, release: asyncio.Event) -> Fault:
        """Answer normally once ``release`` is set (an in-flight request, in moved time)."""
        return cls(hold=release)

    @classmethod
    def connection_reset(cls) -> Fault:
        """Drop the connection without an answer."""
        return cls(reset=True)

    def response(self) -> web.Response:
        """Build the HTTP answer of this fault."""
        return web.Response(
            status=self.status or 200,
            text=self.text if self.text is not None else json.dumps(self.body),
            content_type="application/json",
            headers=self.headers,
        )


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request the simulator received."""

    endpoint: str
    method: str
    path: str
    email: str | None
    at: float
    body: Any = None


def no_permission() -> web.Response:
    """Return the platform's answer to a partner account asking for a user's feature."""
    return web.json_response(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


def wall_clock_at(
    moment: datetime, clock: Callable[[], float] = time.monotonic
) -> Callable[[], datetime]:
    """Return a wall clock that shows ``moment`` now and runs on with ``clock``."""
    origin = clock()
    return lambda: moment + timedelta(seconds=clock() - origin)


class Platform:
    """The platform's users, clocks, recorded requests and faults, shared by every path."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Start with no user; ``clock`` times calls, ``wall_clock`` dates them."""
        self.clock = clock
        self.wall_clock = wall_clock
        self.accounts: dict[str, Account] = {}
        self.requests: list[RecordedRequest] = []
        self.record_requests = True
        self.faults: dict[str, deque[Fault]] = {name: deque() for name in ENDPOINTS}
        self._ids = itertools.count(1)
        # Set at each request recorded (``received`` waits on it).
        self._arrived = asyncio.Event()

    def add_account(
        self, email: str = DEFAULT_EMAIL, token: str = DEFAULT_TOKEN, **kwargs: Any
    ) -> Account:
        """Add a user that may log in with this email and token."""
        account = Account(email=email, token=token, id=next(self._ids), **kwargs)
        self.accounts[email] = account
        return account

    def inject(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        """Answer the next ``times`` requests to an endpoint with ``fault``."""
        if endpoint not in self.faults:
            raise ValueError(
                f"unknown endpoint {endpoint!r}; one of {tuple(self.faults)}"
            )
        self.faults[endpoint].extend([fault] * times)

    def clear_faults(self) -> None:
        """Forget every fault not yet served."""
        for queue in self.faults.values():
            queue.clear()

    def count(self, endpoint: str | None = None, email: str | None = None) -> int:
        """Count the recorded requests, optionally for one endpoint and account."""
        return sum(
            1
            for request in self.requests
            if (endpoint is None or request.endpoint == endpoint)
            and (email is None or request.email == email)
        )

    async def received(self, endpoint: str, count: int = 1) -> None:
        """Wait until ``count`` requests to ``endpoint`` have arrived (in moved time too).

        A request held or slowed by a fault is then on its way, whatever the real time
        it took to arrive.
        """
        while self.count(endpoint) < count:
            self._arrived.clear()
            await self._arrived.wait()

    def add_routes(self, app: web.Application) -> None:
        """Serve the user's profile on ``app``."""
        app.router.add_get(PROFILE_PATH, self._profile)

    async def answer(
        self, request: web.Request, endpoint: str
    ) -> tuple[web.StreamResponse | None, Account | None, Any]:
        """Record the request, serve an injected fault, or authenticate the user.

        Returns the answer to give now (a fault or 401), or the user and the JSON body.
        """
        account = self.authenticate(request.headers.get("Authorization", ""))
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                body = await request.text()
        if self.record_requests:
            self.requests.append(
                RecordedRequest(
                    endpoint=endpoint,
                    method=request.method,
                    path=request.path,
                    email=account.email if account else None,
                    at=self.clock(),
                    body=body,
                )
            )
            self._arrived.set()
        if queue := self.faults[endpoint]:
            fault = queue.popleft()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.hold is not None:
                await fault.hold.wait()
            if fault.reset:
                assert request.transport is not None
                request.transport.abort()
                return web.Response(status=500), None, body
            if fault.status is not None or fault.text is not None:
                return fault.response(), None, body
        if account is None:
            unknown = {"detail": "Authentication credentials were not provided."}
            return web.json_response(unknown, status=401), None, body
        return None, account, body

    async def answer_bearer(
        self, request: web.Request, endpoint: str
    ) -> tuple[web.StreamResponse | None, Account | None]:
        """Record, serve a fault, or authenticate ``Authorization: Bearer <api token>``.

        Paths with v2 take the API token alone; the simulator's own check takes the email
        too, so the request is passed on with the account's usual header.
        """
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        account = next(
            (
                account
                for account in self.accounts.values()
                if scheme == "Bearer" and token and account.token == token
            ),
            None,
        )
        headers = dict(request.headers)
        headers["Authorization"] = (
            f"Token {account.email}:{account.token}" if account is not None else ""
        )
        response, account, _ = await self.answer(
            request.clone(headers=headers), endpoint
        )
        return response, account

    def authenticate(self, header: str) -> Account | None:
        """Return the account of a valid ``Token email:token`` authorization header."""
        scheme, _, credentials = header.partition(" ")
        email, _, token = credentials.partition(":")
        account = self.accounts.get(email)
        if (
            scheme != "Token"
            or account is None
            or account.revoked
            or account.token != token
        ):
            return None
        return account

    async def _profile(self, request: web.Request) -> web.StreamResponse:
        """GET /api/permission/systemuser/profile/."""
        response, account, _ = await self.answer(request, "profile")
        if response is not None:
            return response
        assert account is not None
        return web.json_response(account.profile())


class Resource(Protocol):
    """A module's paths of the platform: they answer through the shared ``Platform``."""

    platform: Platform


# What an endpoint does once the request was recorded, no fault was injected and the user
# is known: (resource, request, user, JSON body or text) to the answer.
type EndpointHandler[R: Resource] = Callable[
    [R, web.Request, Account, Any], Awaitable[web.StreamResponse]
]
# What aiohttp calls, bound to the resource: (resource, request) to the answer.
type Route[R: Resource] = Callable[[R, web.Request], Awaitable[web.StreamResponse]]


def endpoint[R: Resource](
    name: str, *, users_only: bool = False
) -> Callable[[EndpointHandler[R]], Route[R]]:
    """Give a platform endpoint what every one does first.

    The request is recorded, an injected fault is served, a user that cannot log in gets
    401 and, with ``users_only``, a partner account gets 403; only then is the handler
    called, with the user and the request's body.
    """

    def decorate(handler: EndpointHandler[R]) -> Route[R]:
        @functools.wraps(handler)
        async def serve(self: R, request: web.Request) -> web.StreamResponse:
            response, account, body = await self.platform.answer(request, name)
            if response is not None:
                return response
            assert account is not None
            if users_only and account.partner:
                return no_permission()
            return await handler(self, request, account, body)

        return serve

    return decorate
