"""Calendar of the Click to dial integration: the user's calls, each an event."""

from __future__ import annotations

from datetime import datetime
from typing import override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .calls.path import contact_name_of
from .const import HISTORY_MIN_EVENT
from .entity import ClickToDialEntity
from .reads.history import HistoryCoordinator
from .runtime import ClickToDialConfigEntry
from .texts import cached_text
from .voipgrid import (
    HistoryCall,
    HistoryDirection,
    InvalidNumberError,
    clean_number,
    number_key,
)

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the "Calls" calendar of an account with a call history."""
    if (history := entry.runtime_data.history) is not None:
        async_add_entities([CallsCalendar(history)])


def event_end(call: HistoryCall) -> datetime:
    """Return when a call's event ends: with the call, a minute after its start at least."""
    return max(call.end, call.start + HISTORY_MIN_EVENT)


def international_number(hass: HomeAssistant, number: str) -> str:
    """Return a number cleaned, national ones with Home Assistant's country's code."""
    try:
        return number_key(clean_number(number), hass.config.country)
    except InvalidNumberError:
        return number


def call_summary(hass: HomeAssistant, call: HistoryCall, who: str) -> str:
    """Return an event's title: who called or was called, whether it was missed or failed."""
    if call.direction is HistoryDirection.OUTBOUND:
        key = "outgoing" if call.answered else "failed"
    elif call.direction is not HistoryDirection.INBOUND:
        key = "other"
    else:
        key = "missed" if call.missed else "incoming"
    return cached_text(hass, f"calendar_{key}", who=who)


def call_description(hass: HomeAssistant, call: HistoryCall) -> str:
    """Return an event's description: direction, answered or not, how long, which phone."""
    if call.answered:
        minutes, seconds = divmod(call.duration, 60)
        duration = (
            cached_text(
                hass, "calendar_minutes", minutes=str(minutes), seconds=str(seconds)
            )
            if minutes
            else cached_text(hass, "calendar_seconds", seconds=str(seconds))
        )
        answer = cached_text(hass, "calendar_answered", duration=duration)
    elif call.answered_elsewhere:
        answer = cached_text(hass, "calendar_answered_elsewhere")
    else:
        answer = cached_text(hass, "calendar_not_answered")
    lines = [cached_text(hass, f"calendar_{call.direction.value}", answer=answer)]
    if phone := call.caller.phone or call.callee.phone:
        lines.append(cached_text(hass, "calendar_phone", phone=phone))
    return "\n".join(lines)


class CallsCalendar(ClickToDialEntity[HistoryCoordinator], CalendarEntity):
    """The user's calls of the last week: who, which way, answered or not, how long.

    Served from what the history coordinator read: looking at it asks the platform
    nothing. Its attributes describe the latest call's event, on while that lasts (a
    minute at least), else off.
    """

    _attr_translation_key = "calls"

    def __init__(self, coordinator: HistoryCoordinator) -> None:
        """Create the calendar of an account."""
        super().__init__(coordinator, "calls")

    @property
    @override
    def available(self) -> bool:
        """Return whether the history was read and reads have not failed long."""
        return super().available and self.coordinator.data is not None

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """Return the latest call, as the list shows it (nothing upcoming is known)."""
        calls = self.coordinator.data
        return self._event(calls[0]) if calls else None

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the calls that overlap a time range, oldest first."""
        return [
            self._event(call)
            for call in reversed(self.coordinator.data or ())
            if call.start < end_date and event_end(call) > start_date
        ]

    def _event(self, call: HistoryCall) -> CalendarEvent:
        """Return the event of a call."""
        return CalendarEvent(
            start=dt_util.as_local(call.start),
            end=dt_util.as_local(event_end(call)),
            summary=call_summary(self.hass, call, self._who(call)),
            description=call_description(self.hass, call),
            uid=call.id,
        )

    def _who(self, call: HistoryCall) -> str:
        """Return the other side: a contact's name, else the platform's, with the number."""
        other = call.other
        name = (
            contact_name_of(self.hass, self.coordinator.config_entry, other.number)
            or other.name
        )
        # One way of writing numbers: 0201234567 is +31201234567 in the Netherlands.
        number = other.number and international_number(self.hass, other.number)
        if name and number:
            return f"{name} ({number})"
        return name or number or cached_text(self.hass, "unknown_number")
