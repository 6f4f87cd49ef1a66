"""How the parts of an account tell each other what happened: here, and only here.

The coordinators never import each other and nothing listens on the bus for them: each
carries what its last update changed in its data, and the listeners added here pass it on.

- A call started here changes status: the integration's triggers hear of it.
- A call started here ends (the call coordinator's ``ended``): its bus event fires and the
  call history is read soon.
- The platform pushes call events (the pushed calls coordinator's ``events``, those of the
  last notification): the pushed calls' bus events fire and the triggers hear of them;
  the calls followed are read at once, and the conversation of a call whose own events
  are pushed less often (its end is pushed); the end of one of the user's own calls reads
  the call history soon.

Whose a pushed call is, for the history, is decided as for "only my calls", also while the
whole company's calls are followed: a colleague's call is not in the user's history.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant, callback

from .automation.signals import async_send_pushed, async_send_status
from .bus import async_fire_calls_ended, async_fire_phone_calls
from .pushed.state import CallEventType
from .runtime import ClickToDialConfigEntry

# The pushed events after which the call is listed in the history.
ENDS: Final = frozenset({CallEventType.ENDED, CallEventType.MISSED})


@callback
def async_wire(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> None:
    """Pass on what the account's coordinators tell, until the account unloads."""
    data = entry.runtime_data
    calls, pushed, history = data.coordinator, data.pushed, data.history

    @callback
    def calls_changed() -> None:
        """Report the calls started here that ended; read the history soon."""
        if changes := calls.data.changes:
            async_send_status(hass, entry, changes)
        if ended := calls.data.ended:
            async_fire_calls_ended(hass, entry, ended)
            if history is not None:
                history.async_call_ended()

    @callback
    def pushed_changed() -> None:
        """Take in the events of one notification (none: nothing happened)."""
        if not (events := pushed.data.events):
            return
        async_fire_phone_calls(hass, entry, events)
        async_send_pushed(hass, entry, events)
        calls.async_pushed(
            {
                number
                for event in events
                for number in (event.call.caller_number, event.call.destination_number)
                if number
            }
        )
        if history is not None and any(
            event.type in ENDS and event.call.own for event in events
        ):
            history.async_call_ended()

    # The calls that ended while the account was set up.
    calls_changed()
    entry.async_on_unload(calls.async_add_listener(calls_changed))
    entry.async_on_unload(pushed.async_add_listener(pushed_changed))
