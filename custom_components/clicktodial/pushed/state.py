"""The state of the calls the platform pushes, without Home Assistant.

``NotifiedCalls`` turns notifications into call events and the phone's state: each call
fires its first event once and its end once, whatever arrives twice or late, also across a
restart (the recent calls are stored); a call that only rings and then goes quiet is
forgotten after minutes, any other call whose end never comes after hours of silence.
``MissedCalls`` is the list of missed calls, checked off and deleted by the person, never
longer than a hundred items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
import itertools
from typing import Any, Final
import uuid

from custom_components.clicktodial.voipgrid import (
    Direction,
    Notification,
    NotificationStatus,
    clean_text,
)

# A call that has said nothing for this long is forgotten: its end may never come.
FORGET_AFTER: Final = 4 * 3600.0
# A call that only rings (not answered, not ended) is forgotten sooner: the platform stops
# ringing within minutes, so a silent ringing call lost its end.
RING_FORGET_AFTER: Final = 5 * 60.0
# At most this many recent calls are stored, so that a restart keeps duplicates duplicates.
MAX_STORED_CALLS: Final = 100
# At most this many calls are remembered (ended ones first make room): a flood of
# notifications cannot grow the memory without end.
MAX_CALLS: Final = 500
# At most this many missed calls are kept (the oldest checked-off ones go first).
MAX_MISSED_CALLS: Final = 100
# Reasons of an inbound call's end that mean it was not missed.
NOT_MISSED_REASONS: Final = frozenset({"completed", "answered-elsewhere"})


class PhoneState(StrEnum):
    """What the account's phones are doing."""

    IDLE = "idle"
    RINGING = "ringing"
    IN_CALL = "in_call"


class CallEventType(StrEnum):
    """The events of a notified call."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    ANSWERED = "answered"
    ENDED = "ended"
    MISSED = "missed"


# The event of a call's start, by its direction.
_START_EVENTS: Final = {
    Direction.INBOUND: CallEventType.INCOMING,
    Direction.OUTBOUND: CallEventType.OUTGOING,
}


@dataclass(kw_only=True, slots=True)
class NotifiedCall:
    """A call the platform told about."""

    call_id: str
    direction: Direction | None
    caller_number: str | None
    platform_name: str | None
    destination_number: str | None
    # The caller's name (a contact's, else the platform's, else empty), found once per
    # notification that can change it.
    caller_name: str = ""
    # The called number's contact name (else empty), found as the caller's name is.
    destination_name: str = ""
    # Order of arrival and of answering, to tell which call is the latest.
    order: int
    answered_order: int | None = None
    ended: bool = False
    reason: str = ""
    last_seen: float
    # Whether the call rings or comes from one of the user's phones, as the latest
    # notification that could tell said (True stays): None while none could.
    mine: bool | None = None
    # Whether its incoming or outgoing event has fired.
    announced: bool = False
    # Whether a notification named a phone it rang (anyone's).
    rang_a_phone: bool = False
    # Whether a notification named a phone it rings, or a ringing one named none at all
    # (it may ring one): a call only created (the user not available, say) rings nothing.
    rings: bool = False

    @property
    def answered(self) -> bool:
        """Return whether the call was answered."""
        return self.answered_order is not None

    @property
    def own(self) -> bool:
        """Return whether the call is, or may be, the user's own.

        It may be while no notification said whose it is. A call that came in and ended
        without ringing any phone (the user was not available, say) may have been for
        the user.
        """
        return self.mine is not False or (
            self.ended and self.direction is Direction.INBOUND and not self.rang_a_phone
        )

    @property
    def other_number(self) -> str | None:
        """Return the other party's number: the caller's, or the called one's going out."""
        if self.direction is Direction.OUTBOUND:
            return self.destination_number
        return self.caller_number

    @property
    def other_name(self) -> str:
        """Return the other party's name (empty when not known)."""
        if self.direction is Direction.OUTBOUND:
            return self.destination_name
        return self.caller_name

    def hear(
        self,
        notification: Notification,
        name_of: Callable[[str | None], str | None],
    ) -> None:
        """Take in whose phones a notification names, and name both sides anew.

        The caller by a contact, else the platform's name; the called by a contact.
        """
        self.rang_a_phone = self.rang_a_phone or bool(notification.targets)
        self.rings = (
            self.rings
            or bool(notification.targets)
            or (
                notification.status is NotificationStatus.RINGING
                and notification.targets is None
            )
        )
        self.name(name_of)

    def name(self, name_of: Callable[[str | None], str | None]) -> None:
        """Name the caller (a contact, else the platform's name) and the called."""
        self.caller_name = name_of(self.caller_number) or self.platform_name or ""
        self.destination_name = name_of(self.destination_number) or ""

    @property
    def only_rings(self) -> bool:
        """Return whether the call is neither answered nor ended yet."""
        return not self.ended and self.answered_order is None

    def as_dict(self) -> dict[str, Any]:
        """Return the call as stored (no clock time: it does not survive a restart)."""
        return {
            "call_id": self.call_id,
            "direction": self.direction.value if self.direction else None,
            "caller_number": self.caller_number,
            "platform_name": self.platform_name,
            "destination_number": self.destination_number,
            "answered": self.answered,
            "ended": self.ended,
            "reason": self.reason,
            "mine": self.mine,
            "announced": self.announced,
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, order: Iterator[int], now: float
    ) -> NotifiedCall:
        """Return a stored call, as if just heard of at clock time ``now``.

        ``order`` counts arrivals and answers; an unusable call raises.
        """
        call = cls(
            call_id=_text(data["call_id"]),
            direction=_direction(data.get("direction")),
            caller_number=_optional_text(data.get("caller_number")),
            platform_name=_optional_text(data.get("platform_name")),
            destination_number=_optional_text(data.get("destination_number")),
            order=next(order),
            ended=data.get("ended") is True,
            reason=_optional_text(data.get("reason")) or "",
            last_seen=now,
            mine=data.get("mine") if isinstance(data.get("mine"), bool) else None,
            announced=data.get("announced", True) is not False,
        )
        if data.get("answered") is True:
            call.answered_order = next(order)
        return call


@dataclass(frozen=True, kw_only=True, slots=True)
class CallEvent:
    """An event of a call, with the call as it was then."""

    type: CallEventType
    call: NotifiedCall

    @property
    def caller_name(self) -> str:
        """Return the caller's name (empty when not known)."""
        return self.call.caller_name

    def attributes(self) -> dict[str, Any]:
        """Return the event's attributes (the reason only on ended and missed)."""
        attributes = call_attributes(self.call)
        attributes["destination_number"] = self.call.destination_number
        if self.type in (CallEventType.ENDED, CallEventType.MISSED):
            attributes["reason"] = self.call.reason
        return attributes


def call_attributes(call: NotifiedCall | None) -> dict[str, Any]:
    """Return the attributes naming a call (all None without a call).

    The caller of a call out is the user: ``other_number`` and ``other_name`` name the
    other party whichever way the call goes.
    """
    return {
        "call_id": call.call_id if call else None,
        "direction": call.direction.value if call and call.direction else None,
        "caller_number": call.caller_number if call else None,
        "caller_name": call.caller_name if call else None,
        "other_number": call.other_number if call else None,
        "other_name": call.other_name if call else None,
    }


class NotifiedCalls:
    """The calls the platform pushes: events without repeats, and the phone's state.

    ``name_of`` returns a number's contact name, if any; ``is_mine`` whether a
    notification's call is the user's (None: cannot tell); ``follow_all`` whether every
    call is followed (the whole company's), else only the user's own (all by default).
    """

    def __init__(
        self,
        *,
        name_of: Callable[[str | None], str | None] = lambda _number: None,
        is_mine: Callable[[Notification], bool | None] = lambda _notification: None,
        follow_all: Callable[[], bool] = lambda: False,
        forget_after: float = FORGET_AFTER,
        ring_forget_after: float = RING_FORGET_AFTER,
        max_calls: int = MAX_CALLS,
    ) -> None:
        """Start with no calls."""
        self._calls: dict[str, NotifiedCall] = {}
        # The calls not ended: what the phone's state is made of.
        self._active: dict[str, NotifiedCall] = {}
        self._phone: tuple[PhoneState, NotifiedCall | None] = (PhoneState.IDLE, None)
        self._order = itertools.count()
        self._name_of = name_of
        self._is_mine = is_mine
        self._follow_all = follow_all
        self._forget_after = forget_after
        self._ring_forget_after = ring_forget_after
        self._max_calls = max_calls

    @property
    def calls(self) -> list[NotifiedCall]:
        """Return the calls remembered, ended ones included, oldest first."""
        return sorted(self._calls.values(), key=lambda call: call.order)

    def followed(self, call: NotifiedCall) -> bool:
        """Return whether a call's events fire and it counts for the phone's state."""
        return call.own or self._follow_all()

    def apply(self, notification: Notification, now: float) -> list[CallEvent]:
        """Apply one notification at clock time ``now``; return the events it causes.

        A notification of an ended call changes nothing; neither does one with a status
        this client does not know, or a transfer (both keep the call remembered). A call
        fires its incoming or outgoing event once it is followed and its direction known,
        unless it has ended: an end seen first (its start was lost, or came before a
        restart that kept nothing) fires only the end. A call that is not followed
        (``is_mine`` says it is someone else's) fires nothing and leaves the phone idle.
        Whose a call is, is decided anew by each notification that can tell, until one
        names the user's phones: a call followed for want of knowing whose it was stops
        being followed once a notification names only a colleague's phones.
        """
        status = notification.status
        call = self._calls.get(notification.call_id)
        if call is not None and call.ended:
            return []
        if status is None or status is NotificationStatus.TRANSFER:
            if call is not None:
                call.last_seen = now
            return []
        if call is None:
            call = self._add(notification, now)
        else:
            # A call taken back after a restart counts again once it says something.
            self._active.setdefault(call.call_id, call)
            call.last_seen = now
            call.direction = call.direction or notification.direction
            call.caller_number = call.caller_number or notification.caller.number
            call.platform_name = notification.caller.name or call.platform_name
            call.destination_number = (
                call.destination_number or notification.destination.number
            )
        call.hear(notification, self._name_of)
        if call.mine is not True and (mine := self._is_mine(notification)) is not None:
            call.mine = mine
        events: list[CallEvent] = []
        if (
            self.followed(call)
            and not call.announced
            and call.direction is not None
            and status is not NotificationStatus.ENDED
        ):
            call.announced = True
            events.append(self._event(_START_EVENTS[call.direction], call))
        if status is NotificationStatus.ANSWERED and not call.answered:
            call.answered_order = next(self._order)
            events.append(self._event(CallEventType.ANSWERED, call))
        elif status is NotificationStatus.ENDED:
            call.ended = True
            call.reason = notification.reason
            del self._active[call.call_id]
            missed = (
                call.direction is Direction.INBOUND
                and not call.answered
                and call.reason not in NOT_MISSED_REASONS
            )
            events.append(
                self._event(
                    CallEventType.MISSED if missed else CallEventType.ENDED, call
                )
            )
        self._phone = self._phone_state()
        return events if self.followed(call) else []

    def _add(self, notification: Notification, now: float) -> NotifiedCall:
        """Remember a new call, making room when too many are remembered."""
        if len(self._calls) >= self._max_calls:
            oldest = min(
                self._calls.values(), key=lambda call: (not call.ended, call.order)
            )
            del self._calls[oldest.call_id]
            self._active.pop(oldest.call_id, None)
        call = self._calls[notification.call_id] = self._active[
            notification.call_id
        ] = NotifiedCall(
            call_id=notification.call_id,
            direction=notification.direction,
            caller_number=notification.caller.number,
            platform_name=notification.caller.name,
            destination_number=notification.destination.number,
            order=next(self._order),
            last_seen=now,
        )
        return call

    def _event(self, event_type: CallEventType, call: NotifiedCall) -> CallEvent:
        """Return an event with a copy of the call as it is now."""
        return CallEvent(type=event_type, call=replace(call))

    @property
    def phone(self) -> tuple[PhoneState, NotifiedCall | None]:
        """Return the phone's state and the call it is about.

        In a call when a call is answered and not ended (the latest answered one); else
        ringing when an inbound call rings a phone and is not ended (the latest); else
        idle.
        """
        return self._phone

    def _phone_state(self) -> tuple[PhoneState, NotifiedCall | None]:
        """Work out the phone's state from the calls not ended."""
        active = [call for call in self._active.values() if self.followed(call)]
        answered = [call for call in active if call.answered_order is not None]
        if answered:
            return PhoneState.IN_CALL, max(
                answered, key=lambda call: call.answered_order or 0
            )
        ringing = [
            call
            for call in active
            if call.direction is Direction.INBOUND and call.rings
        ]
        if ringing:
            return PhoneState.RINGING, max(ringing, key=lambda call: call.order)
        return PhoneState.IDLE, None

    def _forget_at(self, call: NotifiedCall) -> float:
        """Return the clock time when a call is forgotten unless it says something."""
        if call.only_rings:
            return call.last_seen + self._ring_forget_after
        return call.last_seen + self._forget_after

    def next_forget(self) -> float | None:
        """Return the clock time when the next call is forgotten, or None."""
        if not self._calls:
            return None
        return min(self._forget_at(call) for call in self._calls.values())

    def forget_silent(self, now: float) -> list[NotifiedCall]:
        """Forget the calls silent for too long; return those that had not ended."""
        silent = [call for call in self._calls.values() if now >= self._forget_at(call)]
        for call in silent:
            del self._calls[call.call_id]
            self._active.pop(call.call_id, None)
        self._phone = self._phone_state()
        return [call for call in silent if not call.ended]

    def as_stored(self) -> list[dict[str, Any]]:
        """Return the most recent calls as stored, oldest first."""
        return [call.as_dict() for call in self.calls[-MAX_STORED_CALLS:]]

    def restore(self, stored: Iterable[Mapping[str, Any]], now: float) -> None:
        """Take back the calls stored before a restart, as if just heard of at ``now``.

        They make what comes next a repeat or a continuation, not a new call; the phone
        stays idle until a call says something again.
        """
        for data in stored:
            try:
                call = NotifiedCall.from_dict(data, order=self._order, now=now)
            except AttributeError, KeyError, TypeError, ValueError:
                continue
            call.name(self._name_of)
            self._calls[call.call_id] = call


def _text(value: object) -> str:
    """Return a stored string, or raise ValueError for anything else."""
    if not isinstance(value, str) or not value:
        raise ValueError(value)
    return clean_text(value)


def _optional_text(value: object) -> str | None:
    """Return a stored optional string (None for anything else)."""
    return clean_text(value) if isinstance(value, str) else None


def _direction(value: object) -> Direction | None:
    """Return a stored direction (None when missing or not one)."""
    return Direction(value) if isinstance(value, str) and value in Direction else None


# -- Missed calls ------------------------------------------------------------------------


@dataclass(kw_only=True, slots=True)
class MissedCall:
    """One missed call on the to-do list."""

    uid: str
    summary: str
    done: bool = False
    # Whether it was ever checked off: the person was told to call back (once).
    checked_off: bool = False
    call_id: str
    caller_number: str | None
    caller_name: str
    missed_at: datetime
    # When the person wants to call back, if they moved it; else when it was missed.
    due: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the item as stored."""
        return {
            **({"due": self.due.isoformat()} if self.due else {}),
            "uid": self.uid,
            "summary": self.summary,
            "done": self.done,
            "checked_off": self.checked_off,
            "call_id": self.call_id,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "missed_at": self.missed_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MissedCall:
        """Return an item as stored."""
        missed_at = _aware(data["missed_at"])
        # Stored before a due could be moved: due when missed.
        due = _aware(data["due"]) if data.get("due") else None
        done = data.get("done") is True
        return cls(
            uid=_text(data["uid"]),
            summary=_text(data["summary"]),
            done=done,
            # Stored before it was kept: an item checked off was checked off.
            checked_off=data.get("checked_off") is True or done,
            call_id=_text(data["call_id"]),
            caller_number=_optional_text(data.get("caller_number")),
            caller_name=_optional_text(data.get("caller_name")) or "",
            missed_at=missed_at,
            due=due,
        )


def _aware(value: str) -> datetime:
    """Return a stored time, which must name its offset."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(moment)
    return moment


def missed_call_summary(
    caller_name: str, caller_number: str | None, unknown: str
) -> str:
    """Return the to-do summary naming a caller: name and number, either, or ``unknown``."""
    if caller_name and caller_number:
        return f"{caller_name} ({caller_number})"
    return caller_name or caller_number or unknown


class MissedCalls:
    """The missed calls list: newest last, at most ``max_items`` long.

    ``version`` grows with every change, so that a change is told from no change.
    """

    def __init__(self, max_items: int = MAX_MISSED_CALLS) -> None:
        """Start empty."""
        self.items: list[MissedCall] = []
        self.version = 0
        self._max_items = max_items

    def add_missed(self, event: CallEvent, *, unknown: str, when: datetime) -> None:
        """Put the call of a missed event on the list; ``unknown`` names a hidden caller."""
        call = event.call
        self.add(
            MissedCall(
                uid=uuid.uuid4().hex,
                summary=missed_call_summary(
                    call.caller_name, call.caller_number, unknown
                ),
                call_id=call.call_id,
                caller_number=call.caller_number,
                caller_name=call.caller_name,
                missed_at=when,
            )
        )

    def update(
        self,
        item: MissedCall,
        *,
        summary: str | None,
        done: bool | None,
        due: datetime | None = None,
    ) -> bool:
        """Rename an item, move its due time, or check it off (or on again).

        Return whether it is checked off for the first time: checked off again after
        being checked on, it was already.
        """
        if summary:
            item.summary = clean_text(summary)
        if due is not None and due != (item.due or item.missed_at):
            item.due = due
        first = bool(done) and not item.checked_off
        if done is not None:
            item.done = done
            item.checked_off = item.checked_off or done
        self.version += 1
        return first

    @property
    def open_count(self) -> int:
        """Return how many items are not checked off."""
        return sum(not item.done for item in self.items)

    def add(self, item: MissedCall) -> None:
        """Add an item; the oldest checked-off item goes if the list is full, else the oldest."""
        self.version += 1
        self.items.append(item)
        while len(self.items) > self._max_items:
            done = [existing for existing in self.items if existing.done]
            self.items.remove(done[0] if done else self.items[0])

    def get(self, uid: str) -> MissedCall | None:
        """Return the item with this uid, or None."""
        return next((item for item in self.items if item.uid == uid), None)

    def remove(self, uids: Iterable[str]) -> None:
        """Delete the items with these uids."""
        gone = set(uids)
        self.version += 1
        self.items = [item for item in self.items if item.uid not in gone]

    def as_stored(self) -> list[dict[str, Any]]:
        """Return the items as stored."""
        return [item.as_dict() for item in self.items]

    def restore(self, stored: Iterable[Mapping[str, Any]]) -> None:
        """Restore the items stored, skipping what cannot be read."""
        for data in stored:
            try:
                self.items.append(MissedCall.from_dict(data))
            except AttributeError, KeyError, TypeError, ValueError:
                continue
        del self.items[: max(len(self.items) - self._max_items, 0)]
