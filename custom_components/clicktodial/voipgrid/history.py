"""The user's call history: the platform's v2 call list and its older v1 call records.

Both lists are parsed leniently: a record this client cannot use (no id, no time) is
skipped and counted, unknown fields are ignored, and an unknown direction is kept as
``unknown``. Only an answer that is no list at all is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import math
import re
from typing import Final
from zoneinfo import ZoneInfo

from .errors import VoipgridResponseError
from .notification import MAX_FIELD_LENGTH, clean_text

# The platform's own time zone: v1 call records are written in its local time.
AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
# Longer than a day is no phone call: a bigger duration is not believed.
MAX_DURATION: Final = 24 * 3600
# The keys under which a list may come wrapped in an object (the v2 list is seen bare).
_LIST_KEYS: Final = ("items", "results", "objects", "data")
# '"Bakker | Voys" <+31508009008>' or 'Bakker <0508009008>': a name and a number.
_CALLER_ID: Final = re.compile(r'^\s*"?(?P<name>[^"<]*?)"?\s*<(?P<number>[^>]*)>\s*$')


class HistoryDirection(StrEnum):
    """Whether a call of the history came in, went out, or stayed inside the company."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"
    UNKNOWN = "unknown"


_DIRECTIONS: Final[dict[str, HistoryDirection]] = {
    "inbound": HistoryDirection.INBOUND,
    "incoming": HistoryDirection.INBOUND,
    "in": HistoryDirection.INBOUND,
    "outbound": HistoryDirection.OUTBOUND,
    "outgoing": HistoryDirection.OUTBOUND,
    "out": HistoryDirection.OUTBOUND,
    "internal": HistoryDirection.INTERNAL,
}


class HistoryApi(StrEnum):
    """Which of the platform's call lists answered."""

    V2 = "v2"
    V1 = "v1"


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryParty:
    """One side of a call in the history: a number, a name, and the user's phone if theirs."""

    number: str | None = None
    name: str | None = None
    # The user's own phone on this side (a phone account's description), if known.
    phone: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryCall:
    """One call of the user's history."""

    id: str
    start: datetime  # aware, in UTC
    # Seconds of conversation (0 when nobody answered).
    duration: int
    direction: HistoryDirection
    answered: bool
    answered_elsewhere: bool
    caller: HistoryParty
    callee: HistoryParty

    @property
    def end(self) -> datetime:
        """Return when the conversation ended (the start for a call not answered)."""
        return self.start + timedelta(seconds=self.duration)

    @property
    def missed(self) -> bool:
        """Return whether the call came in and nobody answered it, here or elsewhere."""
        return (
            self.direction is HistoryDirection.INBOUND
            and not self.answered
            and not self.answered_elsewhere
        )

    @property
    def other(self) -> HistoryParty:
        """Return the other side: the caller of a call in, the called of a call out.

        Otherwise (internal, unknown): the side that is not one of the user's phones.
        """
        if self.direction is HistoryDirection.OUTBOUND:
            return self.callee
        if self.direction is HistoryDirection.INBOUND:
            return self.caller
        caller = self.caller
        return (
            self.callee
            if caller.phone or not (caller.number or caller.name)
            else caller
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryPage:
    """One page of a call list: the calls it held, and how many records were unusable."""

    calls: tuple[HistoryCall, ...]
    # Records on the page, usable or not (a full page means there may be more).
    size: int
    skipped: int
    # Whether the platform says there is a next page (v1); None when it does not say.
    has_next: bool | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CallHistory:
    """The calls read from one of the platform's call lists since a moment."""

    calls: tuple[HistoryCall, ...]
    api: HistoryApi
    # Records left out because this client could not use them.
    skipped: int = 0
    # False when the reading stopped at its page limit before reaching the moment.
    complete: bool = True


def _unwrap(data: object) -> list[object]:
    """Return the records of a call list: a bare list, or a list inside an object."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in _LIST_KEYS:
            if isinstance(records := data.get(key), list):
                return records
    raise VoipgridResponseError("Unexpected call list response")


def parse_v2_page(data: object) -> HistoryPage:
    """Parse a page of ``GET /api/v2/call/personalized``; unusable records are skipped."""
    records = _unwrap(data)
    calls = [call for record in records if (call := _v2_call(record)) is not None]
    return HistoryPage(
        calls=tuple(calls), size=len(records), skipped=len(records) - len(calls)
    )


def parse_v1_page(data: object) -> HistoryPage:
    """Parse a page of ``GET /api/cdr/record/personalized/``; unusable records are skipped."""
    records = _unwrap(data)
    calls = [call for record in records if (call := _v1_call(record)) is not None]
    meta = data.get("meta") if isinstance(data, Mapping) else None
    has_next = bool(meta.get("next")) if isinstance(meta, Mapping) else None
    return HistoryPage(
        calls=tuple(calls),
        size=len(records),
        skipped=len(records) - len(calls),
        has_next=has_next,
    )


def amsterdam_time(moment: datetime) -> str:
    """Return a moment as the v1 call records' filters take it: Amsterdam local time."""
    return (
        moment.astimezone(AMSTERDAM).replace(tzinfo=None).isoformat(timespec="seconds")
    )


def _v2_call(record: object) -> HistoryCall | None:
    """Build a call from a v2 record, or None when it has no id or no start time."""
    if not isinstance(record, Mapping):
        return None
    call_id = _id(record.get("id"))
    start = parse_time(record.get("start_time"))
    if call_id is None or start is None:
        return None
    duration = _seconds(record.get("duration_in_seconds"))
    answered = record.get("answered")
    return HistoryCall(
        id=call_id,
        start=start,
        duration=duration,
        direction=_direction(record.get("direction")),
        answered=answered if isinstance(answered, bool) else duration > 0,
        answered_elsewhere=record.get("is_answered_elsewhere") is True,
        caller=_v2_party(record.get("from"), name_key="caller_name"),
        callee=_v2_party(record.get("to")),
    )


def _v2_party(data: object, *, name_key: str | None = None) -> HistoryParty:
    """Build one side of a v2 record: ``from`` or ``to``."""
    if not isinstance(data, Mapping):
        return HistoryParty()
    account = data.get("voip_account")
    fixed = data.get("fixed_destination")
    phone = None
    for own in (account, fixed):
        if isinstance(own, Mapping) and (
            label := _phone_label(own.get("description"), own.get("internal_number"))
        ):
            phone = label
            break
    return HistoryParty(
        number=_text(data.get("phone_number")) or _text(data.get("dialed_number")),
        name=_text(data.get(name_key)) if name_key else None,
        phone=phone,
    )


def _v1_call(record: object) -> HistoryCall | None:
    """Build a call from a v1 call record, or None when it has no id or no call date."""
    if not isinstance(record, Mapping):
        return None
    call_id = _id(record.get("id"))
    start = parse_time(record.get("call_date"))
    if call_id is None or start is None:
        return None
    # atime: the seconds of conversation; 0 for a call nobody answered.
    duration = _seconds(record.get("atime"))
    name, number = _caller_id(record.get("callerid"))
    caller = HistoryParty(number=_text(record.get("src_number")) or number, name=name)
    callee = HistoryParty(
        number=_text(record.get("dialed_number")) or _text(record.get("dst_number"))
    )
    return HistoryCall(
        id=call_id,
        start=start,
        duration=duration,
        direction=_direction(record.get("direction")),
        answered=duration > 0,
        answered_elsewhere=False,
        caller=caller,
        callee=callee,
    )


def parse_time(value: object) -> datetime | None:
    """Parse an ISO 8601 time of a call list, in UTC; without an offset it is Amsterdam's."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _id(value: object) -> str | None:
    """Return a record's id (a number or a string) as text, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return _text(str(value))


def _seconds(value: object) -> int:
    """Return a duration in whole seconds (0 when absent, negative or unbelievable)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    if not math.isfinite(value) or not 0 <= value <= MAX_DURATION:
        return 0
    return round(value)


def _direction(value: object) -> HistoryDirection:
    """Return a record's direction; a string this client does not know is ``unknown``."""
    if not isinstance(value, str):
        return HistoryDirection.UNKNOWN
    return _DIRECTIONS.get(value.strip().lower(), HistoryDirection.UNKNOWN)


def _text(value: object) -> str | None:
    """Return a short, storable text (numbers as text), or None when empty or absent."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = clean_text(str(value)).strip()[:MAX_FIELD_LENGTH]
    return text or None


def _phone_label(description: object, internal_number: object) -> str | None:
    """Return how one of the user's phones is shown: ``Desk (201)``, or what it has."""
    name, number = _text(description), _text(internal_number)
    if name and number:
        return f"{name} ({number})"
    return name or number


def _caller_id(value: object) -> tuple[str | None, str | None]:
    """Split a v1 caller id, ``"Name" <number>``, into the name and the number."""
    text = _text(value)
    if text is None:
        return None, None
    if match := _CALLER_ID.match(text):
        return _text(match["name"]), _text(match["number"])
    # A bare number is no name.
    if text.lstrip("+").isdigit():
        return None, text
    return text, None
