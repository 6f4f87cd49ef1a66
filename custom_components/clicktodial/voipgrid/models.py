"""What the platform describes: call statuses, the account's profile and calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from .errors import VoipgridResponseError


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
    # The company's uuid, which the v2 paths of the company take (caller-ID numbers).
    client_uuid: str | None = None

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
            client_uuid=_optional_str(data.get("client_uuid")),
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


class DestinationKind(StrEnum):
    """What kind of destination rings: one of the user's phones or a number outside."""

    PHONE_ACCOUNT = "phoneaccount"
    FIXED_DESTINATION = "fixeddestination"


@dataclass(frozen=True, kw_only=True, slots=True)
class Destination:
    """A phone of the user that can ring: a phone account or a fixed destination."""

    id: str
    kind: DestinationKind
    # The internal number of a phone account, or the phone number of a fixed destination.
    number: str | None
    description: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SelectedDestination:
    """Which destination rings now; neither set means the user is not available."""

    id: str
    phoneaccount: str | None = None
    fixeddestination: str | None = None

    @classmethod
    def from_json(cls, data: object) -> SelectedDestination:
        """Build the selection from the platform's JSON, or raise VoipgridResponseError."""
        if not isinstance(data, dict):
            raise VoipgridResponseError("User destination without a selection")
        selected = cls(
            id=_id(data.get("id")),
            phoneaccount=_optional_id(data.get("phoneaccount")),
            fixeddestination=_optional_id(data.get("fixeddestination")),
        )
        if selected.phoneaccount is not None and selected.fixeddestination is not None:
            raise VoipgridResponseError("Two destinations selected at once")
        return selected


@dataclass(frozen=True, kw_only=True, slots=True)
class Destinations:
    """The user's phone accounts and fixed destinations, and which of them rings now."""

    phone_accounts: tuple[Destination, ...]
    fixed_destinations: tuple[Destination, ...]
    selected: SelectedDestination

    @property
    def all(self) -> tuple[Destination, ...]:
        """Return every destination, phone accounts first."""
        return self.phone_accounts + self.fixed_destinations

    @classmethod
    def from_json(cls, data: object) -> Destinations:
        """Build the destinations from the platform's JSON, or raise VoipgridResponseError.

        Ids may be numbers or strings (kept as strings); a fixed destination's number
        may lack its ``+``.
        """
        objects = data.get("objects") if isinstance(data, dict) else None
        if not isinstance(objects, list) or not objects:
            raise VoipgridResponseError("Unexpected user destination response")
        user = objects[0]
        if not isinstance(user, dict):
            raise VoipgridResponseError("Unexpected user destination response")
        return cls(
            phone_accounts=tuple(
                _destination(
                    item, DestinationKind.PHONE_ACCOUNT, item_number="internal_number"
                )
                for item in _list(user.get("phoneaccounts"))
            ),
            fixed_destinations=tuple(
                _destination(
                    item, DestinationKind.FIXED_DESTINATION, item_number="phonenumber"
                )
                for item in _list(user.get("fixeddestinations"))
            ),
            selected=SelectedDestination.from_json(user.get("selecteduserdestination")),
        )


# A number of this many digits without "+" or a leading 0 is international (E.164 has
# at least 8 digits); shorter ones are extensions.
_MIN_INTERNATIONAL_DIGITS: Final = 8


def _list(value: object) -> list[object]:
    """Return a list from the platform (null or absent is empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise VoipgridResponseError("Unexpected list of destinations")
    return value


def _destination(
    item: object, kind: DestinationKind, *, item_number: str
) -> Destination:
    """Build one destination from the platform's JSON."""
    if not isinstance(item, dict):
        raise VoipgridResponseError("Unexpected destination")
    number = _optional_number(item.get(item_number))
    if (
        kind is DestinationKind.FIXED_DESTINATION
        and number is not None
        and number.isdigit()
        and not number.startswith("0")
        and len(number) >= _MIN_INTERNATIONAL_DIGITS
    ):
        number = f"+{number}"
    description = item.get("description")
    return Destination(
        id=_id(item.get("id")),
        kind=kind,
        number=number,
        description=description.strip() or None
        if isinstance(description, str)
        else None,
    )


def _id(value: object) -> str:
    """Return an id from the platform (a number or a string) as a string."""
    if (result := _optional_id(value)) is None:
        raise VoipgridResponseError("Destination without an id")
    return result


def _optional_id(value: object) -> str | None:
    """Return an id as a string, None when null, or raise VoipgridResponseError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise VoipgridResponseError("Unexpected destination id")
    text = str(value).strip()
    if not text:
        raise VoipgridResponseError("Empty destination id")
    return text


def _optional_number(value: object) -> str | None:
    """Return an internal number or phone number as text, or None when absent."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return str(value).strip() or None
