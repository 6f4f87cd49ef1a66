"""What a pushed call event asks of what is read: the calls followed, the call history.

While the platform pushes the account's calls, the status of each call started here is read
at once when an event is pushed, and the conversation of a call whose own events are pushed
is read less often (its end is pushed). The end of a pushed call reads the call history
soon. It follows the push coordinator as a listener and changes nothing of it.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant, callback

from .pushed.state import CallEventType
from .runtime import ClickToDialConfigEntry

# The pushed events after which the call is listed in the history.
ENDS: Final = frozenset({CallEventType.ENDED, CallEventType.MISSED})


@callback
def async_follow_pushes(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> None:
    """Read the followed calls, and later the history, when call events are pushed."""
    data = entry.runtime_data
    pushed = data.pushed

    @callback
    def nudge() -> None:
        """Take in the events of one notification (none: nothing happened)."""
        if not (events := pushed.data.events):
            return
        numbers = {
            number
            for event in events
            for number in (event.call.caller_number, event.call.destination_number)
            if number
        }
        data.coordinator.async_pushed(numbers)
        if data.history is not None and any(event.type in ENDS for event in events):
            data.history.async_call_ended()

    entry.async_on_unload(pushed.async_add_listener(nudge))
