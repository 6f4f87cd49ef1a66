"""Async client of one VoIPGRID account: requests, headers and the mapping of answers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
import json
import re
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from .errors import (
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridCredentialsError,
    VoipgridInvalidRequestError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from .history import (
    CallHistory,
    HistoryApi,
    HistoryCall,
    HistoryPage,
    amsterdam_time,
    parse_v1_page,
    parse_v2_page,
)
from .models import Call, Destinations, Profile
from .notification import subscription_id
from .phones import PhoneAccount, parse_phone_account_page

DEFAULT_BASE_URL: Final = "https://api.voipgrid.nl"
DEFAULT_REQUEST_TIMEOUT: Final = 10.0
DEFAULT_RETRY_AFTER: Final = 60.0
MAX_RETRY_AFTER: Final = 3600.0

PROFILE_PATH: Final = "/api/permission/systemuser/profile/"
CLICK_TO_DIAL_PATH: Final = "/api/clicktodial/"
USER_DESTINATION_PATH: Final = "/api/userdestination/"
SELECTED_DESTINATION_PATH: Final = "/api/selecteduserdestination/"
CALL_NOTIFICATION_PATH: Final = "/api/callnotification/callnotification/"
# The user's own calls: the newer list (Bearer auth, pages from 1) and the older records.
CALL_HISTORY_V2_PATH: Final = "/api/v2/call/personalized"
CALL_HISTORY_V1_PATH: Final = "/api/cdr/record/personalized/"
PHONE_ACCOUNT_PATH: Final = "/api/phoneaccount/basic/phoneaccount/"


def error_message(body: object) -> str:
    """Find the platform's own words in a 400 body, whatever its shape."""
    if isinstance(body, str):
        return body.strip()
    if isinstance(body, list):
        return "; ".join(filter(None, (error_message(item) for item in body)))
    if isinstance(body, dict):
        for key in ("error", "description", "detail", "message"):
            if message := error_message(body.get(key)):
                return message
        return "; ".join(
            filter(None, (_field_message(key, value) for key, value in body.items()))
        )
    return "" if body is None else str(body)


def _field_message(field: str, value: object) -> str:
    """Return ``field: message`` for field errors, unwrapping nested objects."""
    if isinstance(value, dict):
        return error_message(value)
    message = error_message(value)
    return f"{field}: {message}" if message else ""


# Characters an HTTP header value cannot carry (control characters), or that cannot be
# encoded at all (lone surrogates): a credential with one can never be right.
_NOT_IN_HEADER: Final = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _check_credential(value: str) -> None:
    """Raise VoipgridCredentialsError for an email or token that cannot be sent."""
    if not value or _NOT_IN_HEADER.search(value):
        # The message never repeats the value: it is a secret.
        raise VoipgridCredentialsError(
            "The email or API token is empty or has characters a header cannot carry"
        )


def retry_after_seconds(header: str | None) -> float:
    """Return the seconds a Retry-After header asks for (default 60, at most an hour)."""
    if header:
        try:
            seconds = float(header)
        except ValueError:
            pass
        else:
            if seconds >= 0:  # also False for NaN
                return min(seconds, MAX_RETRY_AFTER)
    return DEFAULT_RETRY_AFTER


class VoipgridClient:
    """Async client of one VoIPGRID account, over an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        email: str,
        api_token: str,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        """Store what every request needs; nothing is sent yet.

        Raises VoipgridCredentialsError for an email or token that cannot be sent.
        """
        url = URL(base_url)
        if url.user is not None or url.password is not None:
            raise ValueError("The base URL must not contain credentials")
        _check_credential(email)
        _check_credential(api_token)
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._authorization = f"Token {email}:{api_token}"
        # Paths with v2 take the API token alone.
        self._bearer = f"Bearer {api_token}"
        # The call list that answered last; None until one did.
        self.history_api: HistoryApi | None = None
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)

    def __repr__(self) -> str:
        """Describe the client without its credentials."""
        return f"VoipgridClient(base_url={self.base_url!r})"

    async def get_profile(self) -> Profile:
        """Return the account behind the credentials (checks them without a call)."""
        return Profile.from_json(await self._request("GET", PROFILE_PATH))

    async def start_call(
        self,
        b_number: str,
        *,
        a_number: str | None = None,
        b_cli: str | None = None,
        auto_answer: bool | None = None,
    ) -> Call:
        """Start a call: ring the user's own phone, then ``b_number``."""
        body: dict[str, Any] = {"b_number": b_number}
        if a_number is not None:
            body["a_number"] = a_number
        if b_cli is not None:
            body["b_cli"] = b_cli
        if auto_answer is not None:
            body["auto_answer"] = auto_answer
        return Call.from_json(await self._request("POST", CLICK_TO_DIAL_PATH, body))

    async def get_call(self, call_id: str) -> Call:
        """Return the current state of a call."""
        return Call.from_json(
            await self._request("GET", f"{CLICK_TO_DIAL_PATH}{call_id}/")
        )

    async def get_destinations(self) -> Destinations:
        """Return the user's phones that can ring and which of them rings now."""
        return Destinations.from_json(await self._request("GET", USER_DESTINATION_PATH))

    async def set_destination(
        self,
        selected_id: str,
        *,
        phoneaccount: str | None = None,
        fixeddestination: str | None = None,
    ) -> None:
        """Choose the phone that rings: a phone account, a fixed destination, or neither.

        Neither means the user is not available. Any 2xx answer is success.
        """
        if phoneaccount is not None and fixeddestination is not None:
            raise ValueError("Choose a phone account or a fixed destination, not both")
        await self._request(
            "PUT",
            f"{SELECTED_DESTINATION_PATH}{quote(selected_id, safe='')}/",
            {
                "phoneaccount": _json_id(phoneaccount),
                "fixeddestination": _json_id(fixeddestination),
            },
            ignore_body=True,
        )

    async def subscribe_call_notifications(
        self, target_url: str, *, request_timeout: float | None = None
    ) -> str:
        """Have the platform push every call of the account to ``target_url``; return its id.

        ``request_timeout`` (seconds) replaces the client's own: an answer given up on may still
        have made a subscription, so a caller can choose to wait longer.
        """
        return subscription_id(
            await self._request(
                "POST",
                CALL_NOTIFICATION_PATH,
                {"target_url": target_url, "event": "custom"},
                request_timeout=request_timeout,
            )
        )

    async def unsubscribe_call_notifications(self, subscription: str) -> None:
        """Delete a subscription; one the platform no longer knows is deleted already."""
        try:
            await self._request("DELETE", f"{CALL_NOTIFICATION_PATH}{subscription}/")
        except VoipgridNotFoundError:
            return

    async def get_call_history(
        self,
        since: datetime,
        *,
        per_page: int = 50,
        max_pages: int = 10,
    ) -> CallHistory:
        """Return the user's calls, newest first, reading pages back to ``since`` at least.

        Every call on the pages read is returned, also older ones. The v2 list is asked
        first; when it is not there (404) or refuses its Bearer authorization (401, 403),
        the v1 records are, and are asked directly from then on.
        """
        if self.history_api is not HistoryApi.V1:
            try:
                history = await self._call_history_v2(since, per_page, max_pages)
            except VoipgridNotFoundError, VoipgridAuthenticationError:
                self.history_api = HistoryApi.V1
            else:
                self.history_api = HistoryApi.V2
                return history
        return await self._call_history_v1(since, per_page, max_pages)

    async def get_call_history_v2_page(
        self, page: int, per_page: int, *, answered: bool | None = None
    ) -> HistoryPage:
        """Return one page (from 1) of ``GET /api/v2/call/personalized``, newest first."""
        params = {"page": str(page), "per_page": str(per_page)}
        if answered is not None:
            params["answered"] = "true" if answered else "false"
        return parse_v2_page(
            await self._request(
                "GET", CALL_HISTORY_V2_PATH, params=params, authorization=self._bearer
            )
        )

    async def get_call_history_v1_page(
        self,
        *,
        since: datetime,
        until: datetime | None = None,
        limit: int,
        offset: int = 0,
    ) -> HistoryPage:
        """Return one page of ``GET /api/cdr/record/personalized/`` after ``since``.

        The dates are sent in Amsterdam local time, as the platform writes them.
        """
        params = {
            "limit": str(limit),
            "offset": str(offset),
            "call_date__gt": amsterdam_time(since),
        }
        if until is not None:
            params["call_date__lt"] = amsterdam_time(until)
        return parse_v1_page(
            await self._request("GET", CALL_HISTORY_V1_PATH, params=params)
        )

    async def _call_history_v2(
        self, since: datetime, per_page: int, max_pages: int
    ) -> CallHistory:
        """Read v2 pages until one reaches back to ``since``, is short, or is the last."""
        calls: list[HistoryCall] = []
        skipped = 0
        for number in range(1, max_pages + 1):
            try:
                page = await self.get_call_history_v2_page(number, per_page)
            except VoipgridNotFoundError:
                if number == 1:
                    raise
                # Past the last page (a page number the list does not have).
                break
            calls.extend(page.calls)
            skipped += page.skipped
            if page.size < per_page or any(call.start <= since for call in page.calls):
                break
        else:
            return _history(calls, HistoryApi.V2, skipped, complete=False)
        return _history(calls, HistoryApi.V2, skipped)

    async def _call_history_v1(
        self, since: datetime, limit: int, max_pages: int
    ) -> CallHistory:
        """Read v1 pages of the calls after ``since`` until the last one."""
        calls: list[HistoryCall] = []
        skipped = 0
        for number in range(max_pages):
            page = await self.get_call_history_v1_page(
                since=since, limit=limit, offset=number * limit
            )
            calls.extend(page.calls)
            skipped += page.skipped
            if page.size < limit or page.has_next is False:
                break
        else:
            return _history(calls, HistoryApi.V1, skipped, complete=False)
        return _history(calls, HistoryApi.V1, skipped)

    async def get_phone_accounts(
        self,
        wanted: Collection[str] | None = None,
        *,
        limit: int = 100,
        max_pages: int = 10,
    ) -> tuple[dict[str, PhoneAccount], bool]:
        """Return the active phone accounts by id, and whether the list was read to its end.

        With ``wanted``, reading stops once every wanted id was found, and only those
        are returned.
        """
        found: dict[str, PhoneAccount] = {}
        for number in range(max_pages):
            page = parse_phone_account_page(
                await self._request(
                    "GET",
                    PHONE_ACCOUNT_PATH,
                    params={
                        "active": "true",
                        "order_by": "description",
                        "limit": str(limit),
                        "offset": str(number * limit),
                    },
                )
            )
            found.update(
                (account.id, account)
                for account in page.accounts
                if wanted is None or account.id in wanted
            )
            if (
                page.size < limit
                or not page.has_next
                or (wanted is not None and set(wanted) <= found.keys())
            ):
                return found, True
        return found, False

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        ignore_body: bool = False,
        request_timeout: float | None = None,
        params: dict[str, str] | None = None,
        authorization: str | None = None,
    ) -> object:
        """Send one request and return its decoded JSON, mapping every failure.

        With ``ignore_body``, any 2xx answer is success and returns None. ``params`` is
        the query; ``authorization`` replaces the usual ``Token`` header.
        """
        headers = {
            "Authorization": authorization or self._authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        try:
            async with self._session.request(
                method,
                f"{self.base_url}{path}",
                json=body,
                params=params,
                headers=headers,
                timeout=self._timeout
                if request_timeout is None
                else aiohttp.ClientTimeout(total=request_timeout),
                allow_redirects=False,
            ) as response:
                text = await response.text()
                return self._decode(
                    response.status, response.headers, text, ignore_body=ignore_body
                )
        except TimeoutError:
            raise VoipgridConnectionError(
                "Timeout while talking to the platform"
            ) from None
        except aiohttp.ClientError as err:
            raise VoipgridConnectionError(
                f"Cannot reach the platform ({type(err).__name__})"
            ) from None

    @staticmethod
    def _decode(
        status: int, headers: Any, text: str, *, ignore_body: bool = False
    ) -> object:
        """Map an HTTP answer to its JSON body or to this client's exceptions."""
        if status in (401, 403):
            raise VoipgridAuthenticationError(status)
        if status == 429:
            raise VoipgridRateLimitError(
                retry_after_seconds(headers.get("Retry-After"))
            )
        if status == 404:
            raise VoipgridNotFoundError("Not found")
        if ignore_body and 200 <= status < 300:
            return None
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = None
            if status == 400:
                data = text
            elif 200 <= status < 300:
                raise VoipgridResponseError(f"Malformed JSON (HTTP {status})") from None
        if status == 400:
            raise VoipgridInvalidRequestError(
                error_message(data) or "The platform rejected the request"
            )
        if not 200 <= status < 300:
            raise VoipgridResponseError(f"Unexpected response (HTTP {status})")
        return data


def _history(
    calls: list[HistoryCall], api: HistoryApi, skipped: int, *, complete: bool = True
) -> CallHistory:
    """Return the calls read, each once (a call can move to the next page while paging)."""
    unique = {call.id: call for call in calls}
    return CallHistory(
        calls=tuple(sorted(unique.values(), key=lambda call: call.start, reverse=True)),
        api=api,
        skipped=skipped,
        complete=complete,
    )


def _json_id(value: str | None) -> int | str | None:
    """Return an id as the platform spells it in JSON: a number when it is one."""
    if value is not None and value.isdecimal() and str(int(value)) == value:
        return int(value)
    return value
