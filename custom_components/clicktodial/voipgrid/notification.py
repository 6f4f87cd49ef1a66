"""Call notifications: what the platform pushes at the main moments of every call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import json
import re
from typing import Any, Final

from .errors import InvalidNotificationError, VoipgridResponseError

# Longer strings are not what the platform sends: a number, a name, an id.
MAX_FIELD_LENGTH: Final = 255
# A subscription's id goes into a URL path: only plain ids are used.
_SUBSCRIPTION_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A surrogate code point left in a decoded string stands alone (JSON's "\ud800"): it
# cannot be written as UTF-8, so nothing holding it could be stored again.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Return ``value`` with each lone surrogate replaced by U+FFFD (the replacement mark)."""
    return _SURROGATE.sub("\ufffd", value)


class NotificationStatus(StrEnum):
    """The moment of a call a notification is about, as normalised by this client."""

    CREATED = "created"
    RINGING = "ringing"
    ANSWERED = "answered"
    TRANSFER = "transfer"
    ENDED = "ended"


class Direction(StrEnum):
    """Whether a call came in or went out."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


# Seen: created, ringing, ended. Not confirmed: the answered and transfer strings.
_STATUSES: Final[dict[str, NotificationStatus]] = {
    "created": NotificationStatus.CREATED,
    "ringing": NotificationStatus.RINGING,
    "in-progress": NotificationStatus.ANSWERED,
    "answered": NotificationStatus.ANSWERED,
    "warm-transfer": NotificationStatus.TRANSFER,
    "cold-transfer": NotificationStatus.TRANSFER,
    "ended": NotificationStatus.ENDED,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Party:
    """One side of a notified call: its number and the name the platform knows.

    For a caller that is a phone of the platform (an outgoing call), ``user_numbers`` are
    the internal numbers of its users.
    """

    number: str | None = None
    name: str | None = None
    user_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """A phone a notified call rings (``destination.targets``): its number and users'."""

    number: str | None = None
    user_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Notification:
    """One call notification; ``status`` is None for a string this client does not know."""

    call_id: str
    status: NotificationStatus | None
    raw_status: str
    timestamp: datetime | None
    direction: Direction | None
    reason: str
    caller: Party
    destination: Party
    # The phones that started ringing; None when the notification has no such list.
    targets: tuple[Target, ...] | None = None

    @classmethod
    def from_json(cls, data: object) -> Notification:
        """Build a notification from its decoded JSON, or raise InvalidNotificationError.

        ``call_id`` and ``status`` are required strings; every other field this client
        reads may be missing or null, but when present it must have the type the platform
        sends. Fields this client does not read are not checked.
        """
        if not isinstance(data, dict):
            raise InvalidNotificationError("the body is not a JSON object")
        call_id = _string(data, "call_id", required=True)
        raw_status = _string(data, "status", required=True)
        assert call_id is not None
        assert raw_status is not None
        if not call_id.strip():
            raise InvalidNotificationError("call_id is empty")
        direction = (_string(data, "direction") or "").strip().lower()
        return cls(
            call_id=call_id,
            status=_STATUSES.get(raw_status.strip().lower()),
            raw_status=raw_status,
            timestamp=_timestamp(_string(data, "timestamp")),
            direction=Direction(direction) if direction in Direction else None,
            reason=(_string(data, "reason") or "").strip().lower(),
            caller=_party(data, "caller"),
            destination=_party(data, "destination"),
            targets=_targets(data.get("destination")),
        )

    @classmethod
    def from_bytes(cls, body: bytes) -> Notification:
        """Decode and build a notification from a request body."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as err:
            raise InvalidNotificationError("the body is not JSON") from err
        return cls.from_json(data)


def _string(data: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """Return a string field (None when missing or null, unless required)."""
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidNotificationError(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise InvalidNotificationError(f"{key} is not a string")
    if len(value) > MAX_FIELD_LENGTH:
        raise InvalidNotificationError(f"{key} is too long")
    return clean_text(value)


def _party(data: Mapping[str, Any], key: str) -> Party:
    """Return the caller or destination object (empty when missing or null)."""
    value = data.get(key)
    if value is None:
        return Party()
    if not isinstance(value, dict):
        raise InvalidNotificationError(f"{key} is not an object")
    return Party(
        number=_string(value, "number") or None,
        name=(_string(value, "name") or "").strip() or None,
        user_numbers=_user_numbers(value),
    )


def _targets(destination: object) -> tuple[Target, ...] | None:
    """Return the phones a call rings; items of another shape are left out."""
    targets = destination.get("targets") if isinstance(destination, dict) else None
    if not isinstance(targets, list):
        return None
    return tuple(
        Target(
            number=_loose_string(item.get("number")),
            user_numbers=_user_numbers(item),
        )
        for item in targets
        if isinstance(item, dict)
    )


def _user_numbers(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the internal numbers of a party's or target's users (strings or numbers)."""
    value = data.get("user_numbers")
    if not isinstance(value, list):
        return ()
    numbers = (_loose_string(item) for item in value)
    return tuple(number for number in numbers if number)


def _loose_string(value: object) -> str | None:
    """Return a short string or number as a string, else None (tolerated, not refused)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = clean_text(str(value)).strip()
    return text if 0 < len(text) <= MAX_FIELD_LENGTH else None


def _timestamp(value: str | None) -> datetime | None:
    """Parse an ISO 8601 timestamp (UTC when it has no offset); None when unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def subscription_id(data: object) -> str:
    """Return the id of a new subscription from the platform's answer."""
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise VoipgridResponseError("Subscription response without an id")
    text = str(value)
    if not _SUBSCRIPTION_ID.fullmatch(text):
        raise VoipgridResponseError("Subscription response with an unusable id")
    return text
