"""The simulator's call history: the v2 call list and the older v1 call records.

Each account starts with a scripted history (a few calls of today and yesterday, one of
them missed); every click-to-dial call started on the simulator joins it once it has
ended, if it rang the number called, and so does every pushed call of the account's own
phones (``ring``) as its end is pushed. ``GET /api/v2/call/personalized`` (``Authorization:
Bearer <api token>``, pages ``page`` from 1 and ``per_page``, newest first, a plain JSON
list; a page past the last answers 404) and ``GET /api/cdr/record/personalized/``
(``Token`` auth, ``limit``/``offset``, ``call_date__gt``/``__gte``/``__lt`` in Amsterdam
local time, ``{"meta": ..., "objects": [...]}``) serve it. Faults are injected as for
every endpoint: ``simulator.inject("call_history_v2", Fault.http(404))``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import itertools
import operator
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web

from .notifications import CALLER_NAME, CALLER_NUMBER, OUTBOUND_NUMBER

if TYPE_CHECKING:
    from .accounts import Account
    from .calls import ClickToDialCalls, SimulatedCall
    from .core import Platform

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HISTORY_ENDPOINTS = ("call_history_v2", "call_history_v1")
V2_PATH = "/api/v2/call/personalized"
V1_PATH = "/api/cdr/record/personalized/"
V2_DEFAULT_PER_PAGE = 25
V2_MAX_PER_PAGE = 100
V1_DEFAULT_LIMIT = 20
V1_MAX_LIMIT = 500
# Raw statuses that end a click-to-dial call, and those that show the number was rung.
_ENDED = {
    "disconnected",
    "failed_a",
    "failing_a",
    "failed_b",
    "failing_b",
    "blacklisted",
}
_RANG_B = {"dialing_b", "connected"}


@dataclass(kw_only=True)
class HistoryRecord:
    """One call of an account's history, as the simulator keeps it."""

    id: int
    start: datetime
    direction: (
        str  # inbound or outbound, or any string a test wants the platform to send
    )
    duration: int = 0
    answered: bool = False
    answered_elsewhere: bool = False
    # The other side: the caller of a call in, the number called of a call out.
    number: str | None = None
    name: str | None = None
    # The user's phone account on this call (a record of Account.phone_accounts).
    phone: dict[str, Any] | None = None
    # Extra fields added to the v2 record as they are (unknown fields, tests' oddities).
    extra: dict[str, Any] = field(default_factory=dict)

    def v2(self) -> dict[str, Any]:
        """Return the record as the v2 call list serves it."""
        phone = _voip_account(self.phone)
        own = {"type": "voip_account", "phone_number": None, "voip_account": phone}
        other = {"type": "external", "phone_number": self.number}
        inbound = self.direction == "inbound"
        record = {
            "id": self.id,
            "type": "call",
            "answered": self.answered,
            "is_answered_elsewhere": self.answered_elsewhere,
            "start_time": self.start.astimezone(AMSTERDAM).isoformat(),
            "direction": self.direction,
            "duration_in_seconds": self.duration,
            "from": (
                {**other, "dialed_number": None, "caller_name": self.name}
                if inbound
                else {**own, "dialed_number": None, "caller_name": None}
            ),
            "to": (
                {**own, "fixed_destination": None}
                if inbound
                else {**other, "voip_account": None, "fixed_destination": None}
            ),
        }
        record.update(self.extra)
        return record

    def v1(self) -> dict[str, Any]:
        """Return the record as the v1 call records serve it (Amsterdam local time)."""
        own = str((self.phone or {}).get("internal_number") or "")
        inbound = self.direction == "inbound"
        name = f'"{self.name}" <{self.number}>' if self.name else self.number
        return {
            "id": self.id,
            "call_date": _amsterdam(self.start),
            "atime": self.duration if self.answered else 0,
            "direction": self.direction,
            "src_number": self.number if inbound else own,
            "dst_number": own if inbound else self.number,
            "dialed_number": None if inbound else self.number,
            "callerid": name if inbound else own,
            "dst_account": None,
        }


def _voip_account(phone: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the ``voip_account`` of a v2 record for one of the user's phone accounts."""
    if phone is None:
        return None
    return {
        "id": phone.get("id"),
        "description": phone.get("description"),
        "internal_number": phone.get("internal_number"),
    }


def _amsterdam(moment: datetime) -> str:
    """Return a moment as v1 writes it: Amsterdam local time, without an offset."""
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None).isoformat()


def _parse_amsterdam(value: str) -> datetime | None:
    """Parse a v1 date filter (Amsterdam local time unless it has an offset)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def _int(value: str | None, default: int, *, low: int, high: int) -> int | None:
    """Return a query parameter as an int within bounds; None when it is not one."""
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def scripted_calls(now: datetime) -> list[dict[str, Any]]:
    """Return the fields of the calls every account starts with, three hours to a day old."""
    return [
        # Answered: 2 min 5 s with a caller the platform names.
        {
            "start": now - timedelta(hours=3),
            "direction": "inbound",
            "duration": 125,
            "answered": True,
            "number": CALLER_NUMBER,
            "name": CALLER_NAME,
        },
        # Missed: nobody answered a withheld-name caller.
        {
            "start": now - timedelta(hours=2),
            "direction": "inbound",
            "number": "+31201234567",
        },
        # A call out, 45 s.
        {
            "start": now - timedelta(hours=1),
            "direction": "outbound",
            "duration": 45,
            "answered": True,
            "number": OUTBOUND_NUMBER,
        },
        # Yesterday: a colleague answered it.
        {
            "start": now - timedelta(hours=26),
            "direction": "inbound",
            "answered_elsewhere": True,
            "number": CALLER_NUMBER,
            "name": CALLER_NAME,
        },
    ]


class SimulatedHistory:
    """The call history of the simulator's accounts, and the two lists that serve it."""

    def __init__(self, platform: Platform, calls: ClickToDialCalls) -> None:
        """Serve the history of ``platform``'s users and ``calls``; add its fault queues."""
        self.platform = platform
        self.click_to_dial = calls
        # Accounts whose platform has no v2 call list (it answers 404).
        self.without_v2: set[str] = set()
        # Whether a new account starts with the scripted calls.
        self.scripted = True
        self._records: dict[str, list[HistoryRecord]] = {}
        # The history id of each click-to-dial call, once it is listed.
        self._dialled: dict[str, int] = {}
        self._ids = itertools.count(1001)
        # The query of every request to either list, in order: (endpoint, query).
        self.queries: list[tuple[str, dict[str, str]]] = []
        for name in HISTORY_ENDPOINTS:
            platform.faults.setdefault(name, deque())

    def add_routes(self, app: web.Application) -> None:
        """Serve both call lists on ``app``."""
        app.router.add_get(V2_PATH, self._v2)
        app.router.add_get(V1_PATH, self._v1)

    # -- what tests change ---------------------------------------------------------------

    def records(self, email: str) -> list[HistoryRecord]:
        """Return the scripted and added calls of an account (a list to change)."""
        if email not in self._records:
            self._records[email] = (
                self._scripted(self.platform.accounts[email]) if self.scripted else []
            )
        return self._records[email]

    def add(self, email: str, **fields: Any) -> HistoryRecord:
        """Add a call to an account's history (``start`` defaults to now); return it."""
        fields.setdefault("start", self.platform.wall_clock())
        record = HistoryRecord(id=next(self._ids), **fields)
        self.records(email).append(record)
        return record

    def add_pushed(
        self, email: str, steps: list[tuple[float, dict[str, Any]]]
    ) -> HistoryRecord | None:
        """Add a pushed call of the account to its history, as the platform lists it.

        ``steps`` are the call's notifications with the seconds after its start each is
        sent; a call of an unknown account is not listed.
        """
        if email not in self.platform.accounts or not steps:
            return None
        first = steps[0][1]
        inbound = first["direction"] == "inbound"
        times = {body["status"]: at for at, body in reversed(steps)}
        ended = next(
            (body for _, body in steps if body["status"] == "ended"), {"reason": ""}
        )
        answered = times.get("in-progress")
        names = [body["caller"]["name"] for _, body in steps if body["caller"]["name"]]
        return self.add(
            email,
            start=datetime.fromisoformat(first["timestamp"]).astimezone(UTC),
            direction=first["direction"],
            duration=round(times.get("ended", answered or 0) - answered)
            if answered is not None
            else 0,
            answered=answered is not None,
            answered_elsewhere=ended["reason"] == "answered-elsewhere",
            number=first["caller" if inbound else "destination"]["number"],
            name=names[-1] if inbound and names else None,
            phone=phones[0]
            if (phones := self.platform.accounts[email].phone_accounts)
            else None,
        )

    def calls(self, email: str) -> list[HistoryRecord]:
        """Return every call of an account's history now, newest first."""
        records = [*self.records(email), *self._dialled_calls(email)]
        return sorted(
            records, key=lambda record: (record.start, record.id), reverse=True
        )

    def _scripted(self, account: Account) -> list[HistoryRecord]:
        """Return an account's history at its first use: today's calls and yesterday's."""
        desk = account.phone_accounts[0] if account.phone_accounts else None
        return [
            HistoryRecord(id=next(self._ids), phone=desk, **fields)
            for fields in scripted_calls(self.platform.wall_clock())
        ]

    def _dialled_calls(self, email: str) -> list[HistoryRecord]:
        """Return the click-to-dial calls of an account that rang the number and ended."""
        account = self.platform.accounts[email]
        desk = account.phone_accounts[0] if account.phone_accounts else None
        now = self.platform.clock()
        records = []
        for call in self.click_to_dial.calls.values():
            if call.email != email or (fields := _dialled_fields(call, now)) is None:
                continue
            history_id = self._dialled.setdefault(call.call_id, next(self._ids))
            records.append(HistoryRecord(id=history_id, phone=desk, **fields))
        return records

    # -- handlers ------------------------------------------------------------------------

    async def _v2(self, request: web.Request) -> web.StreamResponse:
        """GET /api/v2/call/personalized: a page of the user's calls, newest first."""
        self.queries.append(("call_history_v2", dict(request.query)))
        response, account = await self.platform.answer_bearer(
            request, "call_history_v2"
        )
        if response is not None:
            return response
        assert account is not None
        if account.partner:
            return web.json_response({"detail": "Forbidden"}, status=403)
        if account.email in self.without_v2:
            return web.json_response({"detail": "Not found."}, status=404)
        query = request.query
        page = _int(query.get("page"), 1, low=1, high=10**6)
        per_page = _int(
            query.get("per_page"), V2_DEFAULT_PER_PAGE, low=1, high=V2_MAX_PER_PAGE
        )
        if page is None or per_page is None:
            return web.json_response({"detail": "Invalid page."}, status=404)
        calls = self.calls(account.email)
        if (answered := query.get("answered")) in ("true", "false"):
            calls = [call for call in calls if call.answered == (answered == "true")]
        first = (page - 1) * per_page
        if page > 1 and first >= len(calls):
            return web.json_response({"detail": "Invalid page."}, status=404)
        return web.json_response(
            [call.v2() for call in calls[first : first + per_page]]
        )

    async def _v1(self, request: web.Request) -> web.StreamResponse:
        """GET /api/cdr/record/personalized/: the user's call records, newest first."""
        self.queries.append(("call_history_v1", dict(request.query)))
        response, account, _ = await self.platform.answer(request, "call_history_v1")
        if response is not None:
            return response
        assert account is not None
        if account.partner:
            return web.json_response({"detail": "Forbidden"}, status=403)
        query = request.query
        limit = _int(query.get("limit"), V1_DEFAULT_LIMIT, low=1, high=V1_MAX_LIMIT)
        offset = _int(query.get("offset"), 0, low=0, high=10**9)
        if limit is None or offset is None:
            return web.json_response({"error": "limit and offset: numbers"}, status=400)
        calls = self.calls(account.email)
        filters: tuple[tuple[str, Callable[[datetime, datetime], bool]], ...] = (
            ("call_date__gt", operator.gt),
            ("call_date__gte", operator.ge),
            ("call_date__lt", operator.lt),
        )
        for name, keep in filters:
            if (value := query.get(name)) is None:
                continue
            if (bound := _parse_amsterdam(value)) is None:
                return web.json_response(
                    {name: ["Enter a valid date/time."]}, status=400
                )
            # The platform compares its local times, to the second.
            calls = [
                call
                for call in calls
                if keep(call.start.replace(microsecond=0), bound.astimezone(UTC))
            ]
        objects = calls[offset : offset + limit]
        more = offset + limit < len(calls)
        return web.json_response(
            {
                "meta": {
                    "limit": limit,
                    "offset": offset,
                    "total_count": len(calls),
                    "next": f"{V1_PATH}?limit={limit}&offset={offset + limit}"
                    if more
                    else None,
                    "previous": None,
                },
                "objects": [call.v1() for call in objects],
            }
        )


def _dialled_fields(call: SimulatedCall, now: float) -> dict[str, Any] | None:
    """Return the record of a click-to-dial call that rang the number and ended, or None.

    The record is of the call to the number: it starts when that call was answered, else
    when the number was dialled; not when the call was set up (the user's own phone
    rings first).
    """
    reached = [
        (offset, status)
        for offset, status in call.timeline
        if offset <= now - call.started_at and status is not None
    ]
    statuses = {status for _, status in reached}
    if not statuses & _ENDED or not statuses & _RANG_B:
        return None
    times = {status: offset for offset, status in reached}
    connected = times.get("connected")
    ended = max(offset for offset, status in reached if status in _ENDED)
    began = times["dialing_b"] if connected is None else connected
    return {
        "start": (call.created + timedelta(seconds=began)).astimezone(UTC),
        "direction": "outbound",
        "duration": round(ended - connected) if connected is not None else 0,
        "answered": connected is not None,
        "number": call.b_number,
    }
