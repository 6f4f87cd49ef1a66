"""Async client of one VoIPGRID account: requests, headers and the mapping of answers."""

from __future__ import annotations

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
from .models import Call, Destinations, Profile
from .notification import subscription_id

DEFAULT_BASE_URL: Final = "https://api.voipgrid.nl"
DEFAULT_REQUEST_TIMEOUT: Final = 10.0
DEFAULT_RETRY_AFTER: Final = 60.0
MAX_RETRY_AFTER: Final = 3600.0

PROFILE_PATH: Final = "/api/permission/systemuser/profile/"
CLICK_TO_DIAL_PATH: Final = "/api/clicktodial/"
USER_DESTINATION_PATH: Final = "/api/userdestination/"
SELECTED_DESTINATION_PATH: Final = "/api/selecteduserdestination/"
CALL_NOTIFICATION_PATH: Final = "/api/callnotification/callnotification/"


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

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        ignore_body: bool = False,
        request_timeout: float | None = None,
    ) -> object:
        """Send one request and return its decoded JSON, mapping every failure.

        With ``ignore_body``, any 2xx answer is success and returns None.
        """
        headers = {
            "Authorization": self._authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        try:
            async with self._session.request(
                method,
                f"{self.base_url}{path}",
                json=body,
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


def _json_id(value: str | None) -> int | str | None:
    """Return an id as the platform spells it in JSON: a number when it is one."""
    if value is not None and value.isdecimal() and str(int(value)) == value:
        return int(value)
    return value
