"""Call queues: how many callers wait in each of the company's queues.

``GET /api/queuecallgroup/`` (``Token`` auth) lists the queues as ``{"meta": ...,
"objects": [...]}`` with ``id``, ``description``, ``internal_number`` and ``queue_size``,
the number of callers waiting, as a string. Parsed leniently: records without an id are
skipped, a size that is no number is not known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .core import VoipgridCore
from .errors import VoipgridResponseError
from .notification import MAX_FIELD_LENGTH, clean_text

QUEUE_PATH: Final = "/api/queuecallgroup/"


@dataclass(frozen=True, kw_only=True, slots=True)
class CallQueue:
    """A call queue and how many callers wait in it now."""

    id: str
    description: str | None
    internal_number: str | None
    # Callers waiting; None when the platform sent no usable number.
    waiting: int | None


@dataclass(frozen=True, kw_only=True, slots=True)
class CallQueuePage:
    """One page of the call queue list."""

    queues: tuple[CallQueue, ...]
    # Records on the page, usable or not.
    size: int
    # Whether the platform says there is a next page; None when it does not say.
    has_next: bool | None


def parse_queue_page(data: object) -> CallQueuePage:
    """Parse a page of ``GET /api/queuecallgroup/`` (or a bare list of queues)."""
    if isinstance(data, list):
        records, meta = data, None
    elif isinstance(data, Mapping) and isinstance(data.get("objects"), list):
        records, meta = data["objects"], data.get("meta")
    else:
        raise VoipgridResponseError("Unexpected call queue response")
    queues = [queue for record in records if (queue := _queue(record)) is not None]
    return CallQueuePage(
        queues=tuple(queues),
        size=len(records),
        has_next=bool(meta.get("next")) if isinstance(meta, Mapping) else None,
    )


def _queue(record: object) -> CallQueue | None:
    """Build a call queue from its record, or None when it has no id."""
    if not isinstance(record, Mapping) or (queue_id := _text(record.get("id"))) is None:
        return None
    return CallQueue(
        id=queue_id,
        description=_text(record.get("description")),
        internal_number=_text(record.get("internal_number")),
        waiting=_count(record.get("queue_size")),
    )


def _count(value: object) -> int | None:
    """Return a count of callers (sent as a string or a number), or None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def _text(value: object) -> str | None:
    """Return a short, storable text (numbers as text), or None when empty or absent."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = clean_text(str(value)).strip()[:MAX_FIELD_LENGTH]
    return text or None


class QueueRequests(VoipgridCore):
    """The requests of the call queue list."""

    async def get_call_queues(
        self, *, limit: int = 100, max_pages: int = 10
    ) -> tuple[dict[str, CallQueue], bool]:
        """Return the company's call queues by id, and whether the list was read to its end."""
        found: dict[str, CallQueue] = {}
        for number in range(max_pages):
            page = parse_queue_page(
                await self._request(
                    "GET",
                    QUEUE_PATH,
                    params={"limit": str(limit), "offset": str(number * limit)},
                )
            )
            found.update((queue.id, queue) for queue in page.queues)
            if page.size < limit or not page.has_next:
                return found, True
        return found, False
