"""The integration's triggers hear what happened to calls through these signals.

``wiring.py`` sends them: the events of each pushed notification and the status changes of
the calls started here, each with its account. A trigger matches them against its options.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from custom_components.clicktodial.calls.tracker import StatusChange
from custom_components.clicktodial.pushed.state import CallEvent
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.util.signal_type import SignalType

SIGNAL_PUSHED: Final = SignalType[ClickToDialConfigEntry, tuple[CallEvent, ...]](
    "clicktodial_trigger_pushed"
)
SIGNAL_STATUS: Final = SignalType[ClickToDialConfigEntry, tuple[StatusChange, ...]](
    "clicktodial_trigger_status"
)


@callback
def async_send_pushed(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, events: Iterable[CallEvent]
) -> None:
    """Tell the triggers the events of one pushed notification."""
    async_dispatcher_send(hass, SIGNAL_PUSHED, entry, tuple(events))


@callback
def async_send_status(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, changes: Iterable[StatusChange]
) -> None:
    """Tell the triggers the status changes of the calls started here."""
    async_dispatcher_send(hass, SIGNAL_STATUS, entry, tuple(changes))


@callback
def async_listen_pushed(
    hass: HomeAssistant,
    target: Callable[[ClickToDialConfigEntry, tuple[CallEvent, ...]], None],
) -> CALLBACK_TYPE:
    """Call ``target`` with the events of every pushed notification of any account."""
    return async_dispatcher_connect(hass, SIGNAL_PUSHED, target)


@callback
def async_listen_status(
    hass: HomeAssistant,
    target: Callable[[ClickToDialConfigEntry, tuple[StatusChange, ...]], None],
) -> CALLBACK_TYPE:
    """Call ``target`` with the status changes of the calls started on any account."""
    return async_dispatcher_connect(hass, SIGNAL_STATUS, target)
