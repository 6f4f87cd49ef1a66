"""Typed async client of the VoIPGRID click-to-dial API (no Home Assistant imports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import json
import re
from typing import Any, Final

import aiohttp
from yarl import URL

DEFAULT_BASE_URL: Final = "https://api.voipgrid.nl"
DEFAULT_REQUEST_TIMEOUT: Final = 10.0
DEFAULT_RETRY_AFTER: Final = 60.0
MAX_RETRY_AFTER: Final = 3600.0

PROFILE_PATH: Final = "/api/permission/systemuser/profile/"
CLICK_TO_DIAL_PATH: Final = "/api/clicktodial/"
DEFAULT_NUMBER: Final = "default_number"


class CallStatus(StrEnum):
    """Status of a click-to-dial call, as normalised by this client."""

    SETTING_UP = "setting_up"
    DIALING_A = "dialing_a"
    CONFIRM = "confirm"
    DIALING_B = "dialing_b"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    FAILING_A = "failing_a"
    FAILING_B = "failing_b"
    BLACKLISTED = "blacklisted"

    @property
    def is_terminal(self) -> bool:
        """Return whether the call has ended with this status."""
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES: Final = frozenset(
    {
        CallStatus.DISCONNECTED,
        CallStatus.FAILING_A,
        CallStatus.FAILING_B,
        CallStatus.BLACKLISTED,
    }
)

_STATUS_ALIASES: Final[dict[str, CallStatus]] = {
    "failed_a": CallStatus.FAILING_A,
    "failed_b": CallStatus.FAILING_B,
}


def parse_status(raw: object) -> CallStatus | None:
    """Normalise a status from the platform; None means a string this client does not know.

    ``null`` and ``""`` mean the call is not set up yet; ``failed_*`` is the spelling most
    clients see for ``failing_*``.
    """
    if raw is None or raw == "":
        return CallStatus.SETTING_UP
    if not isinstance(raw, str):
        return None
    value = raw.strip().lower()
    if value in _STATUS_ALIASES:
        return _STATUS_ALIASES[value]
    try:
        status = CallStatus(value)
    except ValueError:
        return None
    # The platform never sends our own name for "not set up yet".
    return None if status is CallStatus.SETTING_UP else status


class VoipgridError(Exception):
    """Base class of every error raised by this client."""


class VoipgridConnectionError(VoipgridError):
    """The platform could not be reached or did not answer in time."""


class VoipgridAuthenticationError(VoipgridError):
    """The platform refused the credentials (401) or the permission (403)."""

    def __init__(self, status: int) -> None:
        """Keep the HTTP status: 401 is a wrong email/token, 403 a missing permission."""
        super().__init__(f"Authentication failed (HTTP {status})")
        self.status = status


class VoipgridCredentialsError(VoipgridError, ValueError):
    """The email or API token cannot be sent: empty, or not fit for an HTTP header."""


class VoipgridRateLimitError(VoipgridError):
    """The platform asks to slow down (429)."""

    def __init__(self, retry_after: float) -> None:
        """Keep how many seconds to wait before the next request."""
        super().__init__(f"Rate limited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class VoipgridInvalidRequestError(VoipgridError):
    """The platform rejected the request (400); the message is the platform's own."""

    def __init__(self, message: str) -> None:
        """Keep the platform's own words."""
        super().__init__(message)
        self.message = message


class VoipgridNotFoundError(VoipgridError):
    """The resource does not exist (404), for example an unknown or expired call."""


class VoipgridResponseError(VoipgridError):
    """The platform answered something this client cannot use (5xx, non-JSON, bad shape)."""


class InvalidNumberError(ValueError):
    """A phone number or extension that cannot be dialled."""


_NUMBER_SEPARATORS: Final = re.compile(r"[\s.\-]")
_TRUNK_PREFIX: Final = re.compile(r"^\+([0-9]{1,3})\(0\)")
_PARENTHESES: Final = re.compile(r"[()]")
_E164: Final = re.compile(r"\+[0-9]{2,15}")
_NATIONAL: Final = re.compile(r"0[0-9]{2,14}")
_EXTENSION: Final = re.compile(r"[1-9][0-9]{0,9}")


def clean_number(value: object, *, allow_default_number: bool = False) -> str:
    """Clean up a number the way the platform's own clients do, or raise InvalidNumberError.

    Spaces, dots, dashes and parentheses go; ``00`` is ``+``; ``+31(0)50`` is ``+3150``;
    a ``tel:`` prefix is dropped. Cleaning a cleaned number changes nothing.
    The result is ``+`` and 2-15 digits, ``0`` and 2-14 more digits, or an extension of 1-10
    digits not starting with ``0``.
    """
    if not isinstance(value, str):
        raise InvalidNumberError("not a string")
    text = value.strip()
    if allow_default_number and text == DEFAULT_NUMBER:
        return DEFAULT_NUMBER
    if text[:4].lower() == "tel:":  # RFC 3966, also what a template can render
        text = text[4:]
    text = _NUMBER_SEPARATORS.sub("", text)
    text = _international(text)
    text = _TRUNK_PREFIX.sub(r"+\1", text)
    text = _international(_PARENTHESES.sub("", text))
    for pattern in (_E164, _NATIONAL, _EXTENSION):
        if pattern.fullmatch(text):
            return text
    raise InvalidNumberError("not a phone number or extension")


def _international(text: str) -> str:
    """Return ``00`` before a country code written as ``+``."""
    return "+" + text[2:] if text.startswith("00") else text


@dataclass(frozen=True, kw_only=True, slots=True)
class Profile:
    """The account behind the credentials."""

    id: str
    uuid: str | None
    email: str | None
    first_name: str | None
    preposition: str | None
    last_name: str | None
    client: str | None
    language: str | None

    @property
    def unique_id(self) -> str:
        """Return the stable id of the account (same on every white-label host)."""
        return self.uuid or self.id

    @property
    def name(self) -> str | None:
        """Return the person's full name, if the profile has one."""
        parts = [self.first_name, self.preposition, self.last_name]
        name = " ".join(part.strip() for part in parts if part and part.strip())
        return name or None

    @property
    def can_click_to_dial(self) -> bool:
        """Return whether this account may start calls (partner accounts may not)."""
        return self.client is not None

    @classmethod
    def from_json(cls, data: object) -> Profile:
        """Build a profile from the platform's JSON, or raise VoipgridResponseError."""
        if not isinstance(data, dict) or data.get("id") in (None, ""):
            raise VoipgridResponseError("Unexpected profile response")
        uuid = data.get("uuid")
        client = data.get("client")
        return cls(
            id=str(data["id"]),
            uuid=str(uuid) if uuid else None,
            email=_optional_str(data.get("email")),
            first_name=_optional_str(data.get("first_name")),
            preposition=_optional_str(data.get("preposition")),
            last_name=_optional_str(data.get("last_name")),
            client=None if client in (None, "") else str(client),
            language=_optional_str(data.get("language")),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Call:
    """A click-to-dial call as the platform describes it."""

    call_id: str
    status: CallStatus | None
    raw_status: str | None
    created: datetime | None
    a_number: str | None
    b_number: str | None

    @property
    def status_unknown(self) -> bool:
        """Return whether the platform sent a status string this client does not know."""
        return self.status is None

    @classmethod
    def from_json(cls, data: object) -> Call:
        """Build a call from the platform's JSON, or raise VoipgridResponseError."""
        if not isinstance(data, dict):
            raise VoipgridResponseError("Unexpected call response")
        call_id = data.get("callid")
        if (
            isinstance(call_id, bool)
            or not isinstance(call_id, (str, int))
            or call_id == ""
        ):
            raise VoipgridResponseError("Call response without a call id")
        raw = data.get("status")
        return cls(
            call_id=str(call_id),
            status=parse_status(raw),
            raw_status=None if raw is None else str(raw),
            created=_parse_datetime(data.get("created")),
            a_number=_optional_str(data.get("a_number")),
            b_number=_optional_str(data.get("b_number")),
        )


def _optional_str(value: object) -> str | None:
    """Return a non-empty string value, or None."""
    if value is None or value == "":
        return None
    return str(value)


def _parse_datetime(value: object) -> datetime | None:
    """Parse an ISO 8601 timestamp from the platform, or None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


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

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> object:
        """Send one request and return its decoded JSON, mapping every failure."""
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
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                text = await response.text()
                return self._decode(response.status, response.headers, text)
        except TimeoutError:
            raise VoipgridConnectionError(
                "Timeout while talking to the platform"
            ) from None
        except aiohttp.ClientError as err:
            raise VoipgridConnectionError(
                f"Cannot reach the platform ({type(err).__name__})"
            ) from None

    @staticmethod
    def _decode(status: int, headers: Any, text: str) -> object:
        """Map an HTTP answer to its JSON body or to this client's exceptions."""
        if status in (401, 403):
            raise VoipgridAuthenticationError(status)
        if status == 429:
            raise VoipgridRateLimitError(
                retry_after_seconds(headers.get("Retry-After"))
            )
        if status == 404:
            raise VoipgridNotFoundError("Not found")
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
