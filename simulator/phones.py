"""The simulator's phone accounts: which phones are registered (online) right now.

``GET /api/phoneaccount/basic/phoneaccount/`` (``Token`` auth; ``active``, ``order_by``,
``limit``, ``offset``) lists the company's active phone accounts as
``{"meta": ..., "objects": [...]}``: the user's own (``Account.phone_accounts``) and the
colleagues' (``colleagues``, two at first; ``add_colleagues`` adds more). A registered
one carries ``sipreginfo`` with the phone's ``useragent``; the user's first phone (the desk phone) and the colleagues' are registered at first. Faults:
``simulator.inject("phone_accounts", ...)``. ``POST /simulator/phone`` (not part of the
platform; ``python -m simulator phone offline Desk``) takes a phone offline or online.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .accounts import Account
    from .core import Platform

PHONE_ACCOUNT_PATH = "/api/phoneaccount/basic/phoneaccount/"
CONTROL_PATH = "/simulator/phone"
DESK_USERAGENT = "Yealink SIP-T54W 96.86.0.100"
COLLEAGUE_USERAGENT = "snom D785 10.1.184.14"
DEFAULT_LIMIT = 20
MAX_LIMIT = 500
# Phone accounts of colleagues: listed too, never the user's.
COLLEAGUES: tuple[dict[str, Any], ...] = (
    {
        "id": 301,
        "account_id": 150010301,
        "internal_number": 200,
        "description": "Reception",
    },
    {
        "id": 302,
        "account_id": 150010302,
        "internal_number": 210,
        "description": "Sales",
    },
)


class PhoneRegistrations:
    """Which phone accounts have a phone registered, and the list that serves them."""

    def __init__(self, platform: Platform) -> None:
        """Serve the phone accounts of ``platform``'s users; add the fault queue."""
        self.platform = platform
        # (email, phone account id) -> the registered phone's user agent, or None.
        self._registered: dict[tuple[str, str], str | None] = {}
        # The query of every request to the list, in order.
        self.queries: list[dict[str, str]] = []
        # The colleagues' phone accounts, the same for every account (one company).
        self.colleagues: list[dict[str, Any]] = [dict(phone) for phone in COLLEAGUES]
        platform.faults.setdefault("phone_accounts", deque())

    def add_colleagues(self, count: int, first_number: int = 300) -> None:
        """Add ``count`` colleagues' phone accounts, extensions from ``first_number`` on."""
        start = len(self.colleagues)
        self.colleagues += [
            {
                "id": 400 + start + index,
                "account_id": 150010400 + start + index,
                "internal_number": first_number + index,
                "description": f"Colleague {first_number + index}",
            }
            for index in range(count)
        ]

    def colleague(self, number: str) -> dict[str, Any] | None:
        """Return the colleague's phone account with this extension, if any."""
        return next(
            (
                phone
                for phone in self.colleagues
                if str(phone.get("internal_number")) == number
            ),
            None,
        )

    def add_routes(self, app: web.Application) -> None:
        """Serve the phone account list on ``app``."""
        app.router.add_get(PHONE_ACCOUNT_PATH, self._list)
        app.router.add_post(CONTROL_PATH, self._control)

    def register(
        self, email: str, phone_id: int | str, useragent: str = DESK_USERAGENT
    ) -> None:
        """Register a phone to one of the account's phone accounts."""
        self._registered[email, str(phone_id)] = useragent

    def unregister(self, email: str, phone_id: int | str) -> None:
        """Take the phone of one of the account's phone accounts offline."""
        self._registered[email, str(phone_id)] = None

    def useragent(self, account: Account, phone: dict[str, Any]) -> str | None:
        """Return the registered phone's user agent, None when nothing is registered."""
        key = (account.email, str(phone["id"]))
        if key in self._registered:
            return self._registered[key]
        if phone in self.colleagues:
            return COLLEAGUE_USERAGENT
        first = account.phone_accounts[:1]
        return DESK_USERAGENT if first and first[0]["id"] == phone["id"] else None

    def records(self, account: Account) -> list[dict[str, Any]]:
        """Return the company's active phone accounts as the platform lists them."""
        records = [
            _record(phone, self.useragent(account, phone))
            for phone in account.phone_accounts
        ]
        records += [
            _record(phone, self.useragent(account, phone)) for phone in self.colleagues
        ]
        return sorted(records, key=lambda record: str(record["description"]))

    def set_online(
        self, phone: str, *, online: bool, email: str | None = None
    ) -> list[dict[str, Any]]:
        """Take the phone named ``phone`` (description or id) online or offline.

        It is changed for every account (or the one of ``email``) that lists it, the
        user's own phones and the colleagues'; returns the phone accounts changed.
        """
        changed = []
        for account in self.platform.accounts.values():
            if email is not None and account.email != email:
                continue
            for each in [*account.phone_accounts, *self.colleagues]:
                if phone.casefold() not in (
                    str(each["id"]),
                    str(each.get("description", "")).casefold(),
                ):
                    continue
                useragent = (
                    (COLLEAGUE_USERAGENT if each in self.colleagues else DESK_USERAGENT)
                    if online
                    else None
                )
                self._registered[account.email, str(each["id"])] = useragent
                changed.append(each)
        return changed

    async def _control(self, request: web.Request) -> web.StreamResponse:
        """POST /simulator/phone: ``{"phone": "Desk", "online": false}``; not the platform's."""
        try:
            body = await request.json() if request.can_read_body else None
        except ValueError:
            body = None
        if (
            not isinstance(body, dict)
            or not isinstance(phone := body.get("phone"), (str, int))
            or not isinstance(online := body.get("online"), bool)
        ):
            return web.json_response(
                {"error": 'a JSON object: {"phone": name or id, "online": true/false}'},
                status=400,
            )
        email = body.get("email") if isinstance(body.get("email"), str) else None
        changed = self.set_online(str(phone), online=online, email=email)
        if not changed:
            return web.json_response({"error": f"no phone {phone!r}"}, status=404)
        return web.json_response(
            {
                "phone": changed[0].get("description"),
                "online": online,
                "accounts": len(changed),
            }
        )

    async def _list(self, request: web.Request) -> web.StreamResponse:
        """GET /api/phoneaccount/basic/phoneaccount/."""
        self.queries.append(dict(request.query))
        response, account, _ = await self.platform.answer(request, "phone_accounts")
        if response is not None:
            return response
        assert account is not None
        if account.partner:
            return web.json_response(
                {"detail": "You do not have permission to perform this action."},
                status=403,
            )
        try:
            limit = int(request.query.get("limit", DEFAULT_LIMIT))
            offset = int(request.query.get("offset", 0))
        except ValueError:
            return web.json_response({"error": "limit and offset: numbers"}, status=400)
        if not 0 < limit <= MAX_LIMIT or offset < 0:
            return web.json_response(
                {"error": "limit or offset out of range"}, status=400
            )
        records = self.records(account)
        more = offset + limit < len(records)
        return web.json_response(
            {
                "meta": {
                    "limit": limit,
                    "offset": offset,
                    "total_count": len(records),
                    "next": f"{PHONE_ACCOUNT_PATH}?limit={limit}&offset={offset + limit}"
                    if more
                    else None,
                    "previous": None,
                },
                "objects": records[offset : offset + limit],
            }
        )


def _record(phone: dict[str, Any], useragent: str | None) -> dict[str, Any]:
    """Return a phone account's record: registered ones carry ``sipreginfo``."""
    return {
        "id": phone["id"],
        "account_id": phone.get("account_id"),
        "internal_number": phone.get("internal_number"),
        "description": phone.get("description"),
        "active": True,
        "sipreginfo": None
        if useragent is None
        else {"useragent": useragent, "expires": 3600},
    }
