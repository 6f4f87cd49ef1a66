"""Phone accounts: the platform's SIP accounts, and whether a phone is registered to each.

A phone account is registered (online) while its record carries ``sipreginfo``; its
``useragent`` names the device. Parsed leniently: records without an id are skipped,
unknown fields ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import VoipgridResponseError
from .notification import MAX_FIELD_LENGTH, clean_text


@dataclass(frozen=True, kw_only=True, slots=True)
class PhoneAccount:
    """A phone account and whether a phone is registered to it now."""

    id: str
    # The internal number (extension) of the phone account.
    number: str | None
    description: str | None
    registered: bool
    # The registered phone as it names itself (brand, model, firmware), if registered.
    useragent: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class PhoneAccountPage:
    """One page of the phone account list."""

    accounts: tuple[PhoneAccount, ...]
    # Records on the page, usable or not.
    size: int
    # Whether the platform says there is a next page; None when it does not say.
    has_next: bool | None


def parse_phone_account_page(data: object) -> PhoneAccountPage:
    """Parse a page of ``GET /api/phoneaccount/basic/phoneaccount/``.

    The answer is ``{"meta": {...}, "objects": [...]}`` or a bare list.
    """
    if isinstance(data, list):
        records, meta = data, None
    elif isinstance(data, Mapping) and isinstance(data.get("objects"), list):
        records, meta = data["objects"], data.get("meta")
    else:
        raise VoipgridResponseError("Unexpected phone account response")
    accounts = [
        account for record in records if (account := _account(record)) is not None
    ]
    return PhoneAccountPage(
        accounts=tuple(accounts),
        size=len(records),
        has_next=bool(meta.get("next")) if isinstance(meta, Mapping) else None,
    )


def _account(record: object) -> PhoneAccount | None:
    """Build a phone account from its record, or None when it has no id."""
    if not isinstance(record, Mapping):
        return None
    account_id = _text(record.get("id"))
    if account_id is None:
        return None
    registered, useragent = _registration(record.get("sipreginfo"))
    return PhoneAccount(
        id=account_id,
        number=_text(record.get("internal_number")),
        description=_text(record.get("description")),
        registered=registered,
        useragent=useragent,
    )


def _registration(info: object) -> tuple[bool, str | None]:
    """Return whether ``sipreginfo`` says a phone is registered, and its user agent.

    Seen: absent or null while nothing is registered, an object while a phone is. A list
    of such objects (several phones) or another non-empty value counts as registered.
    """
    if isinstance(info, list):
        info = next((item for item in info if isinstance(item, Mapping)), info)
    if isinstance(info, Mapping):
        return bool(info), _text(info.get("useragent"))
    return bool(info), None


def _text(value: object) -> str | None:
    """Return a short, storable text (numbers as text), or None when empty or absent."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = clean_text(str(value)).strip()[:MAX_FIELD_LENGTH]
    return text or None
