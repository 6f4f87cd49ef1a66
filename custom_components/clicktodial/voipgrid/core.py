"""The core of the client: session, headers, credentials, and the one request path.

Every request of an account goes through ``VoipgridCore._request``: it maps each answer to
the client's exceptions and keeps the account's one rate limit. A 429 to any request
pauses the account for its Retry-After; while paused, requests are refused before anything
is sent, unless the caller says one must go out all the same.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import math
import re
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from .errors import (
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridCredentialsError,
    VoipgridInvalidRequestError,
    VoipgridNotAllowedError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from .models import Profile
from .ratelimit import RateLimit, retry_after_seconds

DEFAULT_BASE_URL: Final = "https://api.voipgrid.nl"
DEFAULT_REQUEST_TIMEOUT: Final = 10.0

PROFILE_PATH: Final = "/api/permission/systemuser/profile/"


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


class VoipgridCore:
    """One account's session, credentials and rate limit, and the one request path."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        email: str,
        api_token: str,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Store what every request needs; nothing is sent yet.

        ``clock`` is a monotonic clock in seconds, that of the rate limit and of any
        other waiting the client does. Raises VoipgridCredentialsError for an email or
        token that cannot be sent.
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
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._clock = clock
        # The account's one rate limit: a 429 to any request pauses them all.
        self.rate_limit = RateLimit(clock)

    def __repr__(self) -> str:
        """Describe the client without its credentials."""
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def get_profile(self) -> Profile:
        """Return the account behind the credentials (checks them without a call)."""
        return Profile.from_json(await self._request("GET", PROFILE_PATH))

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
        despite_pause: bool = False,
    ) -> object:
        """Send one request and return its decoded JSON, mapping every failure.

        With ``ignore_body``, any 2xx answer is success and returns None. ``params`` is
        the query; ``authorization`` replaces the usual ``Token`` header. While the
        account is paused, VoipgridRateLimitError (the seconds left) is raised and
        nothing is sent, unless ``despite_pause``.
        """
        if not despite_pause and (paused := self.rate_limit.paused_for()) > 0:
            raise VoipgridRateLimitError(float(math.ceil(paused)))
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
                status, answer_headers = response.status, response.headers
        except TimeoutError:
            raise VoipgridConnectionError(
                "Timeout while talking to the platform"
            ) from None
        except aiohttp.ClientError as err:
            raise VoipgridConnectionError(
                f"Cannot reach the platform ({type(err).__name__})"
            ) from None
        if status == 429:
            retry_after = retry_after_seconds(answer_headers.get("Retry-After"))
            self.rate_limit.pause(retry_after)
            raise VoipgridRateLimitError(retry_after)
        return _decode(status, text, ignore_body=ignore_body)


def _decode(status: int, text: str, *, ignore_body: bool = False) -> object:
    """Map an HTTP answer other than 429 to its JSON body or to the client's exceptions."""
    if status in (401, 403):
        raise VoipgridAuthenticationError(status)
    if status == 404:
        raise VoipgridNotFoundError("Not found")
    if status == 405:
        raise VoipgridNotAllowedError("Method not allowed (HTTP 405)")
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
