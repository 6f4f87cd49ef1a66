"""The simulator's click-to-dial calls: started, read, and pushed as they go.

``POST /api/clicktodial/`` starts a call that plays a timeline (``scenarios``: chosen by
the number called, or scripted by a test); ``GET /api/clicktodial/{call_id}/`` reads its
status at the simulator's clock; ``DELETE /api/clicktodial/{call_id}/`` stops it, or is
refused as by a platform that cannot (``hang_up_refusal``: 400, 404 or 405). With ``push_started_calls``, each call is also pushed to
the account's subscribed URLs as an outgoing call, as the platform pushes every call.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
import itertools
import re
from typing import Any

from aiohttp import web

from .accounts import Account
from .core import Platform, endpoint
from .notifications import ACCOUNT_NUMBER, STARTED_CALL_STEPS, Step, notification_body
from .pushes import CallPushes
from .scenarios import SCENARIOS, Timeline, scenario_for

# A started call's notification leaves this long after its status changed, so that a
# status read made for it surely finds the new status.
PUSH_LAG = 0.001
_VALID_NUMBER = re.compile(r"\+?[0-9]{1,16}")
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


class ClickToDialCalls:
    """The calls started on the simulator, and the paths that start and read them."""

    def __init__(
        self, platform: Platform, pushes: CallPushes, *, post_status: int = 201
    ) -> None:
        """Start calls for ``platform``'s users; ``post_status`` answers each start."""
        self.platform = platform
        self.pushes = pushes
        self.post_status = post_status
        self.push_started_calls = False
        self.calls: dict[str, SimulatedCall] = {}
        self.next_timelines: deque[Timeline] = deque()
        # The HTTP status with which a DELETE of a call is refused; None: calls stop.
        self.hang_up_refusal: int | None = None
        self._ids = itertools.count(1)

    def add_routes(self, app: web.Application) -> None:
        """Serve starting and reading calls on ``app``."""
        app.router.add_post("/api/clicktodial/", self._start_call)
        app.router.add_get("/api/clicktodial/{call_id}/", self._get_call)
        app.router.add_delete("/api/clicktodial/{call_id}/", self._hang_up)

    def status_of(self, call_id: str) -> str | None:
        """Return the raw status a call has now."""
        return self.calls[call_id].raw_status(self.platform.clock())

    @endpoint("start_call", users_only=True)
    async def _start_call(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """POST /api/clicktodial/."""
        if not isinstance(body, dict):
            return web.json_response("Invalid JSON", status=400)
        error = _validate_call(account, body)
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
            call_id=f"{next(self._ids):04d}{account.id:04d}c0ffee",
            email=account.email,
            started_at=self.platform.clock(),
            created=self.platform.wall_clock(),
            timeline=timeline,
            a_number=body.get("a_number"),
            b_number=b_number,
            b_cli=body.get("b_cli"),
            auto_answer=body.get("auto_answer"),
        )
        self.calls[call.call_id] = call
        if self.push_started_calls:
            self.pushes.start_play(self._push(call, account))
        return web.json_response(self._json(call), status=self.post_status)

    @endpoint("get_call")
    async def _get_call(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """GET /api/clicktodial/{call_id}/."""
        call = self.calls.get(request.match_info["call_id"])
        if call is None or call.email != account.email:
            return web.json_response({"detail": "Not found."}, status=404)
        return web.json_response(self._json(call))

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
        now = self.platform.clock()
        if call.raw_status(now) in ENDED_STATUSES:
            return web.json_response(
                {
                    "status": "disconnected",
                    "detail": "The call is already disconnected.",
                }
            )
        call.hang_up(now)
        return web.Response(status=204)

    async def _push(self, call: SimulatedCall, account: Account) -> None:
        """Push a click-to-dial call as the account's outgoing call, as it goes.

        Nothing is pushed until the platform dials the number asked for: a call that
        fails on the user's own phone, or is blocked, was never a call out.
        """
        call_id = self.pushes.new_call_id()
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
            due = call.started_at + offset + PUSH_LAG - self.platform.clock()
            if due > 0:
                await asyncio.sleep(due)
                if call.timeline[index : index + 1] != ((offset, raw),):
                    continue
            index += 1
            steps = [Step(at=offset, status=status, reason=reason)]
            if status == "in-progress" and not pushed:
                steps.insert(0, Step(at=offset, status="ringing"))
            for step in steps:
                await self.pushes.notify(
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

    def _json(self, call: SimulatedCall) -> dict[str, Any]:
        """Return the JSON the platform serves for a call."""
        return {
            "callid": call.call_id,
            "status": call.raw_status(self.platform.clock()),
            "created": call.created.isoformat(),
            "a_number": call.a_number or "201",
            "b_number": call.b_number,
            "a_cli": "+31508009000",
            "b_cli": call.b_cli or "+31508009000",
            "auto_answer": bool(call.auto_answer),
            "originating_ip": "127.0.0.1",
            "resource_uri": f"/api/clicktodial/{call.call_id}/",
        }


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
