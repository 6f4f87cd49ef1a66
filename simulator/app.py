"""The simulator: a real aiohttp server that behaves like the platform's click-to-dial API."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import functools
import itertools
import json
import re
import time
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

from .caller_ids import CallerIds
from .history import SimulatedHistory
from .notifications import (
    ACCOUNT_NUMBER,
    CALLER_NAME,
    CALLER_NUMBER,
    NOBODY_RINGS,
    NOTIFICATION_SCRIPTS,
    OUTBOUND_NUMBER,
    STARTED_CALL_STEPS,
    Step,
    notification_body,
)
from .phones import PhoneRegistrations
from .queues import CallQueues

DEFAULT_EMAIL = "demo@example.com"
DEFAULT_TOKEN = "demo-token"
# A started call's notification leaves this long after its status changed, so that a
# status read made for it surely finds the new status.
PUSH_LAG = 0.001

# A timeline is a sequence of (seconds after the call was started, raw platform status).
type Timeline = tuple[tuple[float, str | None], ...]

SCENARIOS: dict[str, Timeline] = {
    # A normal call: the user's phone rings, then the other side, then 30 s of talk.
    "normal": (
        (0, None),
        (2, "dialing_a"),
        (6, "dialing_b"),
        (10, "connected"),
        (40, "disconnected"),
    ),
    # The user's own phone is not answered (old spelling, as most clients see it).
    "failed_a": ((0, None), (2, "dialing_a"), (22, "failed_a")),
    # The other side is not reached.
    "failed_b": ((0, None), (2, "dialing_a"), (6, "dialing_b"), (26, "failed_b")),
    # The user must press 1 to accept the call.
    "confirm": (
        (0, None),
        (2, "dialing_a"),
        (5, "confirm"),
        (8, "dialing_b"),
        (12, "connected"),
        (42, "disconnected"),
    ),
    # The number is blocked on the platform.
    "blacklisted": ((0, None), (1, "blacklisted")),
    # The user's phone rings forever: set-up never ends.
    "stuck": ((0, None), (2, "dialing_a")),
    # A ten-minute conversation.
    "long": (
        (0, None),
        (2, "dialing_a"),
        (6, "dialing_b"),
        (10, "connected"),
        (610, "disconnected"),
    ),
    # The platform sends a status nobody documented.
    "unknown_status": (
        (0, ""),
        (2, "dialing_a"),
        (4, "ringing_somewhere"),
        (8, "connected"),
        (12, "disconnected"),
    ),
    # The user is not available ("Phone that rings": none): no phone of theirs rings.
    "not_available": ((0, None), (1, "failed_a")),
}

# The last three digits of the dialled number choose the scenario, so a person can try
# each outcome from the demo: +31508009901 fails on the A side, and so on.
SCENARIO_SUFFIXES = {
    "901": "failed_a",
    "902": "failed_b",
    "903": "confirm",
    "904": "blacklisted",
    "905": "stuck",
    "906": "long",
    "907": "unknown_status",
}


def scenario_for(b_number: str) -> Timeline:
    """Return the timeline the simulator plays for a dialled number."""
    return SCENARIOS[SCENARIO_SUFFIXES.get(b_number[-3:], "normal")]


# Raw statuses that end a call.
ENDED_STATUSES = frozenset(
    {"disconnected", "failed_a", "failing_a", "failed_b", "failing_b", "blacklisted"}
)
# What a platform that cannot stop a call answers to the DELETE, by status.
_REFUSALS: dict[int, Any] = {
    400: {"error": "This call cannot be stopped."},
    404: {"detail": "Not found."},
    405: {"detail": 'Method "DELETE" not allowed.'},
}

_VALID_NUMBER = re.compile(r"\+?[0-9]{1,16}")

ENDPOINTS = (
    "profile",
    "start_call",
    "get_call",
    "get_destinations",
    "set_destination",
    "subscribe",
    "unsubscribe",
    "hang_up",
)
CALL_NOTIFICATION_PATH = "/api/callnotification/callnotification/"


def demo_phone_accounts() -> list[dict[str, Any]]:
    """Return the user's phones of a new account: a desk phone and a softphone."""
    return [
        {
            "id": 101,
            "account_id": 150010001,
            "internal_number": 201,
            "description": "Desk",
        },
        {
            "id": 102,
            "account_id": 150010002,
            "internal_number": 202,
            "description": "Softphone",
        },
    ]


def demo_caller_ids() -> list[dict[str, Any]]:
    """Return the numbers a new account may show as caller ID: the main one and Sales'."""
    return [
        {"number": "+31508009000", "description": "Main number"},
        {"number": "+31508009010", "description": "Sales"},
    ]


def demo_fixed_destinations() -> list[dict[str, Any]]:
    """Return the numbers outside the platform of a new account: a mobile."""
    return [{"id": 55, "phonenumber": "+31612345678", "description": "Mobile"}]


@dataclass(kw_only=True)
class Account:
    """One user of the platform."""

    email: str
    token: str
    id: int
    first_name: str = "Demo"
    last_name: str = "User"
    partner: bool = False
    may_set_a_number: bool = True
    # Whether the user may subscribe to call notifications (403 otherwise).
    may_use_call_notifications: bool = True
    revoked: bool = False
    # Which phone rings: the user's phone accounts and fixed destinations, and the
    # selection (both ids None: not available). Ids as the platform serves them.
    phone_accounts: list[dict[str, Any]] = field(default_factory=demo_phone_accounts)
    fixed_destinations: list[dict[str, Any]] = field(
        default_factory=demo_fixed_destinations
    )
    selected_phoneaccount: int | str | None = 101
    selected_fixeddestination: int | str | None = None
    # The numbers the account may show as caller ID (``number``, ``description``).
    caller_ids: list[dict[str, Any]] = field(default_factory=demo_caller_ids)

    @property
    def client_uuid(self) -> str:
        """Return the uuid of the user's company, as the profile names it."""
        return f"10000000-0000-4000-8000-{self.id:012d}"

    @property
    def available(self) -> bool:
        """Return whether a phone of the user rings (not "not available")."""
        return (
            self.selected_phoneaccount is not None
            or self.selected_fixeddestination is not None
        )

    @property
    def name(self) -> str:
        """Return the user's name as the platform shows it."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def selected_destination_id(self) -> int:
        """Return the id of the user's selected destination (the PUT's resource)."""
        return self.id + 8

    def userdestination(self) -> dict[str, Any]:
        """Return the JSON of GET /api/userdestination/ for this user."""
        return {
            "objects": [
                {
                    "id": self.id + 6,
                    "internal_number": self.phone_accounts[0]["internal_number"]
                    if self.phone_accounts
                    else None,
                    "fixeddestinations": self.fixed_destinations,
                    "phoneaccounts": self.phone_accounts,
                    "selecteduserdestination": {
                        "id": self.selected_destination_id,
                        "fixeddestination": self.selected_fixeddestination,
                        "phoneaccount": self.selected_phoneaccount,
                    },
                }
            ]
        }

    def profile(self) -> dict[str, Any]:
        """Return the profile JSON the platform serves for this user."""
        return {
            "id": self.id,
            "uuid": f"00000000-0000-4000-8000-{self.id:012d}",
            "email": self.email,
            "first_name": self.first_name,
            "preposition": "",
            "last_name": self.last_name,
            "client": None if self.partner else f"/api/apprelation/client/{self.id}/",
            "client_id": None if self.partner else self.id,
            "client_uuid": None if self.partner else self.client_uuid,
            "client_name": None if self.partner else "Demo Company",
            "partner": "/api/apprelation/partner/1/",
            "mobile_nr": "+31612345678",
            "outgoing_cli": "+31508009000",
            "language": "nl",
            "timezone": "Europe/Amsterdam",
            "app_account": None,
        }


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
        """Answer normally, after this many seconds."""
        return cls(delay=seconds)

    @classmethod
    def held(cls, release: asyncio.Event) -> Fault:
        """Answer normally once ``release`` is set (an in-flight request, in moved time)."""
        return cls(hold=release)

    @classmethod
    def connection_reset(cls) -> Fault:
        """Drop the connection without an answer."""
        return cls(reset=True)


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    """One request the simulator received."""

    endpoint: str
    method: str
    path: str
    email: str | None
    at: float
    body: Any = None


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """A call notification subscription: where the account's calls are pushed to."""

    id: str
    email: str
    target_url: str


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One notification POSTed to a subscribed URL, and the HTTP status it got."""

    subscription_id: str
    target_url: str
    body: dict[str, Any]
    status: int | None


@dataclass(kw_only=True)
class SimulatedCall:
    """A call started on the simulator."""

    call_id: str
    email: str
    started_at: float
    created: datetime
    timeline: Timeline
    a_number: str | None
    b_number: str
    b_cli: str | None
    auto_answer: bool | None

    def hang_up(self, now: float) -> None:
        """End the call at clock time ``now``: what was to come does not come."""
        elapsed = now - self.started_at
        self.timeline = (
            *((offset, step) for offset, step in self.timeline if offset <= elapsed),
            (elapsed, "disconnected"),
        )

    def raw_status(self, now: float) -> str | None:
        """Return the platform status of the call at clock time ``now``."""
        elapsed = now - self.started_at
        status: str | None = None
        for offset, step in self.timeline:
            if offset <= elapsed:
                status = step
        return status


def _no_permission() -> web.Response:
    """Return the platform's answer to a partner account asking for a user's feature."""
    return web.json_response(
        {"detail": "You do not have permission to perform this action."}, status=403
    )


# What an endpoint does once the request was recorded, no fault was injected and the user
# is known: (simulator, request, user, JSON body or text) to the answer.
type EndpointHandler = Callable[
    [Simulator, web.Request, Account, Any], Awaitable[web.StreamResponse]
]
# What aiohttp calls, bound to the simulator: (simulator, request) to the answer.
type Route = Callable[[Simulator, web.Request], Awaitable[web.StreamResponse]]


def endpoint(
    name: str, *, users_only: bool = False
) -> Callable[[EndpointHandler], Route]:
    """Give a platform endpoint what every one does first.

    The request is recorded, an injected fault is served, a user that cannot log in gets
    401 and, with ``users_only``, a partner account gets 403; only then is the handler
    called, with the user and the request's body.
    """

    def decorate(handler: EndpointHandler) -> Route:
        @functools.wraps(handler)
        async def serve(self: Simulator, request: web.Request) -> web.StreamResponse:
            response, account, body = await self._answer(request, name)
            if response is not None:
                return response
            assert account is not None
            if users_only and account.partner:
                return _no_permission()
            return await handler(self, request, account, body)

        return serve

    return decorate


class Simulator:
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
        self.clock = clock
        self.wall_clock = wall_clock
        self.post_status = post_status
        self.push_started_calls = push_started_calls
        self.accounts: dict[str, Account] = {}
        self.calls: dict[str, SimulatedCall] = {}
        self.requests: list[RecordedRequest] = []
        self.record_requests = True
        self.faults: dict[str, deque[Fault]] = {name: deque() for name in ENDPOINTS}
        self.next_timelines: deque[Timeline] = deque()
        # The HTTP status with which a DELETE of a call is refused; None: calls stop.
        self.hang_up_refusal: int | None = None
        self.subscriptions: dict[str, Subscription] = {}
        self.deliveries: list[Delivery] = []
        self._ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._subscription_ids = itertools.count(1)
        self._notified_call_ids = itertools.count(1)
        self._plays: set[asyncio.Task[None]] = set()
        # Notifications on their way (``delivered`` waits until there are none).
        self._posting = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""
        # Call history and phones online: served by modules of their own.
        self.history = SimulatedHistory(self)
        self.phones = PhoneRegistrations(self)
        # Call queues and caller-ID numbers: served by modules of their own too.
        self.queues = CallQueues(self)
        self.caller_ids = CallerIds(self)

    # -- set-up ---------------------------------------------------------------------

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
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        self.faults[endpoint].extend([fault] * times)

    def clear_faults(self) -> None:
        """Forget every fault not yet served."""
        for queue in self.faults.values():
            queue.clear()

    def script_next_call(self, timeline: Timeline) -> None:
        """Play this timeline for the next call started, whatever its number."""
        self.next_timelines.append(timeline)

    def count(self, endpoint: str | None = None, email: str | None = None) -> int:
        """Count the recorded requests, optionally for one endpoint and account."""
        return sum(
            1
            for request in self.requests
            if (endpoint is None or request.endpoint == endpoint)
            and (email is None or request.email == email)
        )

    def status_of(self, call_id: str) -> str | None:
        """Return the raw status a call has now."""
        return self.calls[call_id].raw_status(self.clock())

    # -- server ---------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """Return the aiohttp application serving the API."""
        app = web.Application()
        app.router.add_get("/api/permission/systemuser/profile/", self._profile)
        app.router.add_post("/api/clicktodial/", self._start_call)
        app.router.add_get("/api/clicktodial/{call_id}/", self._get_call)
        app.router.add_delete("/api/clicktodial/{call_id}/", self._hang_up)
        app.router.add_get("/api/userdestination/", self._get_destinations)
        app.router.add_put(
            "/api/selecteduserdestination/{selected_id}/", self._set_destination
        )
        app.router.add_post(CALL_NOTIFICATION_PATH, self._subscribe)
        # The platform's Zapier app deletes without the trailing slash.
        app.router.add_delete(f"{CALL_NOTIFICATION_PATH}{{id}}/", self._unsubscribe)
        app.router.add_delete(f"{CALL_NOTIFICATION_PATH}{{id}}", self._unsubscribe)
        app.router.add_post("/simulator/ring", self._ring)
        app.router.add_get("/simulator/subscriptions", self._subscription_count)
        self.history.add_routes(app)
        self.phones.add_routes(app)
        self.queues.add_routes(app)
        self.caller_ids.add_routes(app)
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
        for task in list(self._plays):
            task.cancel()
        await asyncio.gather(*self._plays, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- call notifications ---------------------------------------------------------

    def subscriptions_of(self, email: str | None = None) -> list[Subscription]:
        """Return the subscriptions of one account, or of every account."""
        return [
            subscription
            for subscription in self.subscriptions.values()
            if email is None or subscription.email == email
        ]

    async def notify(
        self, body: dict[str, Any], *, email: str | None = None
    ) -> list[int | None]:
        """POST one notification to every subscribed URL (of one account, or of all).

        Returns the HTTP status of each delivery (None when it failed); like the platform,
        it does not retry.
        """
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10)
            )
        self._posting += 1
        self._idle.clear()
        try:
            return await self._post_notification(body, email)
        finally:
            self._posting -= 1
            if not self._posting:
                self._idle.set()

    async def delivered(self) -> None:
        """Wait until no notification is on its way (those due later are not waited for)."""
        await self._idle.wait()

    async def _post_notification(
        self, body: dict[str, Any], email: str | None
    ) -> list[int | None]:
        """POST a notification to each subscribed URL; return the HTTP statuses."""
        assert self._session is not None
        statuses: list[int | None] = []
        for subscription in self.subscriptions_of(email):
            status: int | None
            try:
                async with self._session.post(
                    subscription.target_url, json=body, allow_redirects=False
                ) as response:
                    await response.read()
                    status = response.status
            except aiohttp.ClientError, TimeoutError:
                status = None
            self.deliveries.append(
                Delivery(
                    subscription_id=subscription.id,
                    target_url=subscription.target_url,
                    body=body,
                    status=status,
                )
            )
            statuses.append(status)
        return statuses

    def new_notified_call_id(self) -> str:
        """Return a call id the way the platform writes them."""
        return f"sim-{next(self._notified_call_ids):04d}-{self.wall_clock().timestamp():.8f}"

    def notifications(
        self,
        script: str = "missed",
        *,
        call_id: str | None = None,
        caller_number: str | None = None,
        caller_name: str | None = CALLER_NAME,
        available: bool = True,
    ) -> list[tuple[float, dict[str, Any]]]:
        """Return a script's notifications with the seconds after the start each is sent.

        For an inbound call ``caller_number`` calls the account; for an outbound call it
        is the number the account calls. When the user is not ``available``, an inbound
        call rings no phone: it is missed without ringing, whatever the script.
        """
        played = NOTIFICATION_SCRIPTS[script]
        call_id = call_id or self.new_notified_call_id()
        start = self.wall_clock()
        inbound = played.direction == "inbound"
        steps = played.steps if available or not inbound else NOBODY_RINGS
        other = caller_number or (CALLER_NUMBER if inbound else OUTBOUND_NUMBER)
        return [
            (
                step.at,
                notification_body(
                    call_id=call_id,
                    step=step,
                    direction=played.direction,
                    timestamp=start + timedelta(seconds=step.at),
                    caller_number=other if inbound else ACCOUNT_NUMBER,
                    caller_name=caller_name if inbound else "Demo User",
                    destination_number=ACCOUNT_NUMBER if inbound else other,
                ),
            )
            for step in steps
        ]

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
    ) -> str:
        """Play a scripted call: POST its notifications in time; return its call id.

        The call reaches the subscribed URLs of one account (``email``) or of every
        account, each as that account's phone that rings has it: a user who is not
        available gets an inbound call as missed without ringing. ``speed`` 2 plays
        twice as fast; 0 sends every notification at once.
        """
        call_id = call_id or self.new_notified_call_id()
        emails = (
            [email]
            if email is not None
            else sorted(
                {subscription.email for subscription in self.subscriptions_of()}
            )
        )
        plays: list[tuple[float, dict[str, Any], str]] = []
        for each in emails:
            account = self.accounts.get(each)
            steps = self.notifications(
                script,
                call_id=call_id,
                caller_number=caller_number,
                caller_name=caller_name,
                available=account is None or account.available,
            )
            plays.extend((at, body, each) for at, body in steps)
        plays.sort(key=lambda play: play[0])
        elapsed = 0.0
        for at, body, each in plays:
            if speed > 0 and at > elapsed:
                await sleep((at - elapsed) / speed)
                elapsed = at
            await self.notify(body, email=each)
        return call_id

    def start_ring(self, script: str = "missed", **kwargs: Any) -> str:
        """Play a scripted call in the background; return its call id."""
        call_id = kwargs.pop("call_id", None) or self.new_notified_call_id()
        self._start_play(self._play(script, call_id=call_id, **kwargs))
        return call_id

    def _start_play(self, play: Coroutine[Any, Any, Any]) -> None:
        """Push notifications in the background until done or stopped."""
        task = asyncio.get_running_loop().create_task(play)
        self._plays.add(task)
        task.add_done_callback(self._plays.discard)

    async def _play(self, script: str, **kwargs: Any) -> None:
        """Play a scripted call started by ``start_ring``."""
        await self.ring(script, **kwargs)

    async def _push_started_call(self, call: SimulatedCall, account: Account) -> None:
        """Push a click-to-dial call as the account's outgoing call, as it goes.

        Nothing is pushed until the platform dials the number asked for: a call that
        fails on the user's own phone, or is blocked, was never a call out.
        """
        call_id = self.new_notified_call_id()
        pushed = False
        index = 0
        # The timeline is read anew at each step: a call stopped meanwhile ends sooner.
        while index < len(call.timeline):
            offset, raw = call.timeline[index]
            status, reason = STARTED_CALL_STEPS.get(str(raw), ("", ""))
            if not status or (status == "ended" and not pushed):
                index += 1
                continue
            # Pushed just after the status changed: a read made for it finds the status.
            if (delay := call.started_at + offset + PUSH_LAG - self.clock()) > 0:
                await asyncio.sleep(delay)
                if call.timeline[index : index + 1] != ((offset, raw),):
                    continue
            index += 1
            steps = [Step(at=offset, status=status, reason=reason)]
            if status == "in-progress" and not pushed:
                steps.insert(0, Step(at=offset, status="ringing"))
            for step in steps:
                await self.notify(
                    notification_body(
                        call_id=call_id,
                        step=step,
                        direction="outbound",
                        timestamp=call.created + timedelta(seconds=offset),
                        caller_number=ACCOUNT_NUMBER,
                        caller_name=account.name,
                        destination_number=call.b_number,
                    ),
                    email=account.email,
                )
            pushed = True

    async def wait_played(self) -> None:
        """Wait until every call started by ``start_ring`` has been played."""
        while self._plays:
            await asyncio.gather(*self._plays)

    # -- handlers -------------------------------------------------------------------

    async def _answer(
        self, request: web.Request, endpoint: str
    ) -> tuple[web.StreamResponse | None, Account | None, Any]:
        """Record the request, serve an injected fault, or authenticate the user.

        Returns the answer to give now (a fault or 401), or the user and the JSON body.
        """
        account = self._authenticate(request)
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
        queue = self.faults[endpoint]
        if queue:
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
                return self._fault_response(fault), None, body
        if account is None:
            return (
                web.json_response(
                    {"detail": "Authentication credentials were not provided."},
                    status=401,
                ),
                None,
                body,
            )
        return None, account, body

    @staticmethod
    def _fault_response(fault: Fault) -> web.Response:
        """Build the HTTP answer of an injected fault."""
        status = fault.status or 200
        if fault.text is not None:
            return web.Response(
                status=status,
                text=fault.text,
                content_type="application/json",
                headers=fault.headers,
            )
        return web.Response(
            status=status,
            text=json.dumps(fault.body),
            content_type="application/json",
            headers=fault.headers,
        )

    def _authenticate(self, request: web.Request) -> Account | None:
        """Return the account of a valid ``Authorization: Token email:token`` header."""
        header = request.headers.get("Authorization", "")
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

    @endpoint("profile")
    async def _profile(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """GET /api/permission/systemuser/profile/."""
        return web.json_response(account.profile())

    @endpoint("start_call", users_only=True)
    async def _start_call(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """POST /api/clicktodial/."""
        if not isinstance(body, dict):
            return web.json_response("Invalid JSON", status=400)
        error = self._validate_call(account, body)
        if error is not None:
            return web.json_response(error, status=400)
        b_number: str = body["b_number"]
        if self.next_timelines:
            timeline = self.next_timelines.popleft()
        elif not account.available and body.get("a_number") is None:
            # The user's click-to-dial rings the phone that rings: there is none.
            timeline = SCENARIOS["not_available"]
        else:
            timeline = scenario_for(b_number)
        call = SimulatedCall(
            call_id=f"{next(self._call_ids):04d}{account.id:04d}c0ffee",
            email=account.email,
            started_at=self.clock(),
            created=self.wall_clock(),
            timeline=timeline,
            a_number=body.get("a_number"),
            b_number=b_number,
            b_cli=body.get("b_cli"),
            auto_answer=body.get("auto_answer"),
        )
        self.calls[call.call_id] = call
        if self.push_started_calls:
            self._start_play(self._push_started_call(call, account))
        return web.json_response(self._call_json(call), status=self.post_status)

    @staticmethod
    def _validate_call(account: Account, body: dict[str, Any]) -> Any:
        """Return the platform's 400 body for a bad call request, or None."""
        b_number = body.get("b_number")
        if not isinstance(b_number, str) or not b_number:
            return {"b_number": ["This field is required."]}
        if not _VALID_NUMBER.fullmatch(b_number):
            return "Extensions or phonenumbers not valid"
        a_number = body.get("a_number")
        if a_number is not None:
            if not account.may_set_a_number:
                return {
                    "error": "User has no permission to provide a_number for ClickToDial"
                }
            if not isinstance(a_number, str) or not _VALID_NUMBER.fullmatch(a_number):
                return {"clicktodial": {"a_number": ["Enter a valid number."]}}
        b_cli = body.get("b_cli")
        if (
            b_cli is not None
            and b_cli != "default_number"
            and (not isinstance(b_cli, str) or not _VALID_NUMBER.fullmatch(b_cli))
        ):
            return {"description": "b_cli must be a number you own or default_number"}
        auto_answer = body.get("auto_answer")
        if auto_answer is not None and not isinstance(auto_answer, bool):
            return {"auto_answer": ["Must be a valid boolean."]}
        return None

    @endpoint("subscribe")
    async def _subscribe(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """POST /api/callnotification/callnotification/."""
        if not account.may_use_call_notifications:
            return _no_permission()
        target_url = body.get("target_url") if isinstance(body, dict) else None
        if not isinstance(target_url, str) or URL(target_url).scheme not in (
            "http",
            "https",
        ):
            return web.json_response({"target_url": ["Enter a valid URL."]}, status=400)
        if body.get("event") != "custom":
            return web.json_response({"event": ["Select a valid choice."]}, status=400)
        subscription = Subscription(
            id=str(next(self._subscription_ids)),
            email=account.email,
            target_url=target_url,
        )
        self.subscriptions[subscription.id] = subscription
        return web.json_response(
            {
                "id": int(subscription.id),
                "target_url": target_url,
                "event": "custom",
            },
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

    async def _ring(self, request: web.Request) -> web.StreamResponse:
        """POST /simulator/ring: play a scripted call to the subscribed URLs.

        The JSON body may name ``script`` (default ``missed``), ``email`` (default: every
        account), ``caller_number``, ``caller_name`` and ``speed``; not part of the platform.
        """
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.json_response({"error": "a JSON object, please"}, status=400)
        script = body.get("script", "missed")
        if script not in NOTIFICATION_SCRIPTS:
            return web.json_response(
                {"error": f"unknown script; one of {sorted(NOTIFICATION_SCRIPTS)}"},
                status=400,
            )
        kwargs = {
            key: body[key]
            for key in ("email", "caller_number", "caller_name")
            if isinstance(body.get(key), str)
        }
        speed = body.get("speed", 1.0)
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or speed < 0:
            return web.json_response({"error": "speed must be >= 0"}, status=400)
        call_id = self.start_ring(script, speed=float(speed), **kwargs)
        return web.json_response(
            {
                "call_id": call_id,
                "script": script,
                "subscriptions": len(self.subscriptions_of(kwargs.get("email"))),
            },
            status=202,
        )

    async def _subscription_count(self, request: web.Request) -> web.StreamResponse:
        """GET /simulator/subscriptions: how many URLs calls are pushed to (not the URLs)."""
        return web.json_response({"count": len(self.subscriptions)})

    @endpoint("get_call")
    async def _get_call(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """GET /api/clicktodial/{call_id}/."""
        call = self.calls.get(request.match_info["call_id"])
        if call is None or call.email != account.email:
            return web.json_response({"detail": "Not found."}, status=404)
        return web.json_response(self._call_json(call))

    @endpoint("hang_up", users_only=True)
    async def _hang_up(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """DELETE /api/clicktodial/{call_id}/: stop a call, unless stopping is refused.

        Whether the platform can is not confirmed: ``hang_up_refusal`` answers as a
        platform that cannot (404, 405 or 400).
        """
        if (refusal := self.hang_up_refusal) is not None:
            return web.json_response(_REFUSALS.get(refusal, {}), status=refusal)
        call = self.calls.get(request.match_info["call_id"])
        if call is None or call.email != account.email:
            return web.json_response({"detail": "Not found."}, status=404)
        if call.raw_status(self.clock()) in ENDED_STATUSES:
            return web.json_response(
                {
                    "status": "disconnected",
                    "detail": "The call is already disconnected.",
                }
            )
        call.hang_up(self.clock())
        return web.Response(status=204)

    @endpoint("get_destinations", users_only=True)
    async def _get_destinations(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """GET /api/userdestination/."""
        return web.json_response(account.userdestination())

    @endpoint("set_destination", users_only=True)
    async def _set_destination(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """PUT /api/selecteduserdestination/{selected_id}/."""
        if request.match_info["selected_id"] != str(account.selected_destination_id):
            return web.json_response({"detail": "Not found."}, status=404)
        if not isinstance(body, dict):
            return web.json_response("Invalid JSON", status=400)
        error = self._validate_destination(account, body)
        if error is not None:
            return web.json_response(error, status=400)
        account.selected_phoneaccount = body["phoneaccount"]
        account.selected_fixeddestination = body["fixeddestination"]
        selected = account.userdestination()["objects"][0]["selecteduserdestination"]
        return web.json_response(selected)

    @staticmethod
    def _validate_destination(account: Account, body: dict[str, Any]) -> Any:
        """Return the platform's 400 body for a bad choice of destination, or None."""
        for name, choices in (
            ("phoneaccount", account.phone_accounts),
            ("fixeddestination", account.fixed_destinations),
        ):
            if name not in body:
                return {name: ["This field is required."]}
            value = body[name]
            if value is not None and str(value) not in {
                str(choice["id"]) for choice in choices
            }:
                return {name: [f'Invalid pk "{value}" - object does not exist.']}
        if body["phoneaccount"] is not None and body["fixeddestination"] is not None:
            return {
                "error": "Choose either a phone account or a fixed destination, not both."
            }
        return None

    def _call_json(self, call: SimulatedCall) -> dict[str, Any]:
        """Return the JSON the platform serves for a call."""
        return {
            "callid": call.call_id,
            "status": call.raw_status(self.clock()),
            "created": call.created.isoformat(),
            "a_number": call.a_number or "201",
            "b_number": call.b_number,
            "a_cli": "+31508009000",
            "b_cli": call.b_cli or "+31508009000",
            "auto_answer": bool(call.auto_answer),
            "originating_ip": "127.0.0.1",
            "resource_uri": f"/api/clicktodial/{call.call_id}/",
        }


def wall_clock_from(clock: Callable[[], float]) -> Callable[[], datetime]:
    """Return a wall clock that follows a seconds clock (for moved time in tests)."""
    origin_seconds = clock()
    origin = datetime.now(UTC)
    return lambda: origin + timedelta(seconds=clock() - origin_seconds)
