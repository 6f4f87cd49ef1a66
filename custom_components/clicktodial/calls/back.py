"""Calling back: the other party of a call the account knows, found by the call's id.

A call of the history (the id is the calendar event's uid), a pushed call (the id of the
Phone calls events, the Recent calls lines and the missed calls) or a call started here
(the id the action returned) is called back on its other party's number.
"""

from __future__ import annotations

from collections.abc import Iterator

from custom_components.clicktodial.const import DOMAIN
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError


def _known_calls(entry: ClickToDialConfigEntry) -> Iterator[tuple[str, str | None]]:
    """Yield (call id, other party's number) of every call the account knows of."""
    data = entry.runtime_data
    if data.history is not None:
        for call in data.history.data or ():
            yield call.id, call.other.number
    for notified in data.pushed.calls.calls:
        yield notified.call_id, notified.other_number
    for item in data.pushed.missed.items:
        yield item.call_id, item.caller_number
    tracked = data.coordinator.tracked_calls
    if (latest := data.coordinator.data.latest) is not None:
        tracked = [*tracked, latest]
    for started in tracked:
        yield started.call_id, started.b_number


@callback
def number_to_call_back(
    hass: HomeAssistant, entries: list[ClickToDialConfigEntry], call_id: str
) -> tuple[ClickToDialConfigEntry, str]:
    """Return the account that knows a call, and its other party's number.

    A call no account knows, or whose other party's number was hidden, raises a
    translated validation error.
    """
    for entry in entries:
        for known, number in _known_calls(entry):
            if known != call_id:
                continue
            if not number:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="call_back_no_number",
                    translation_placeholders={"call_id": call_id},
                )
            return entry, number
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="call_back_not_found",
        translation_placeholders={"call_id": call_id},
    )
