"""Caller-ID numbers: the numbers the account may show to the people it calls.

``GET /api/v2/clients/{client_uuid}/callerid_numbers`` (``Authorization: Bearer <api
token>``, pages ``page`` from 1 and ``per_page``) answers ``{"items": [{"number": ...,
"description": ...}]}``. Parsed leniently: items without a number are skipped, a bare list
is taken as the items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from .core import VoipgridCore
from .errors import VoipgridNotFoundError, VoipgridResponseError
from .notification import MAX_FIELD_LENGTH, clean_text

CLIENTS_V2_PATH: Final = "/api/v2/clients/"


@dataclass(frozen=True, kw_only=True, slots=True)
class CallerIdNumber:
    """A number the account may show as its caller ID."""

    number: str
    description: str | None


def parse_caller_id_page(data: object) -> tuple[tuple[CallerIdNumber, ...], int]:
    """Parse a page of caller-ID numbers; return the usable ones and the items on the page."""
    if isinstance(data, list):
        items = data
    elif isinstance(data, Mapping) and isinstance(data.get("items"), list):
        items = data["items"]
    else:
        raise VoipgridResponseError("Unexpected caller-ID number response")
    numbers = [number for item in items if (number := _number(item)) is not None]
    return tuple(numbers), len(items)


def _number(item: object) -> CallerIdNumber | None:
    """Build a caller-ID number from an item, or None when it has no number."""
    if not isinstance(item, Mapping) or (number := _text(item.get("number"))) is None:
        return None
    return CallerIdNumber(number=number, description=_text(item.get("description")))


def _text(value: object) -> str | None:
    """Return a short, storable text (numbers as text), or None when empty or absent."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = clean_text(str(value)).strip()[:MAX_FIELD_LENGTH]
    return text or None


class CallerIdRequests(VoipgridCore):
    """The requests of the account's caller-ID numbers."""

    async def get_caller_ids(
        self, client_uuid: str, *, per_page: int = 100, max_pages: int = 10
    ) -> tuple[CallerIdNumber, ...]:
        """Return the numbers the account may show as caller ID, each once, in order."""
        path = f"{CLIENTS_V2_PATH}{quote(client_uuid, safe='')}/callerid_numbers"
        found: dict[str, CallerIdNumber] = {}
        for page in range(1, max_pages + 1):
            try:
                data = await self._request(
                    "GET",
                    path,
                    params={"page": str(page), "per_page": str(per_page)},
                    authorization=self._bearer,
                )
            except VoipgridNotFoundError:
                if page == 1:
                    raise
                break  # past the last page
            numbers, size = parse_caller_id_page(data)
            for number in numbers:
                found.setdefault(number.number, number)
            if size < per_page:
                break
        return tuple(found.values())
