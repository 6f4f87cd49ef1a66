"""The integration's triggers: a call came in, was missed, answered or ended; a status.

The pushed ones need the option "Follow all calls"; "Call I started changed status"
follows the calls started through Home Assistant. Each fires once per call event, also
when several accounts are loaded (the option "account" picks one).
"""

from __future__ import annotations

from typing import Final, cast, override

import probatio

from homeassistant.const import CONF_OPTIONS
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.trigger import (
    Trigger,
    TriggerActionRunner,
    TriggerConfig,
    TriggerNotTriggeredReporter,
)
from homeassistant.helpers.typing import ConfigType

from .automation.matching import PUSHED_OPTIONS, STATUS_OPTIONS, CallFilter
from .automation.signals import async_listen_pushed, async_listen_status
from .calls.tracker import StatusChange
from .pushed.state import CallEvent, CallEventType
from .runtime import ClickToDialConfigEntry

_PUSHED_SCHEMA: Final = probatio.Schema(
    {probatio.Required(CONF_OPTIONS, default=dict): PUSHED_OPTIONS}
)
_STATUS_SCHEMA: Final = probatio.Schema(
    {probatio.Required(CONF_OPTIONS, default=dict): STATUS_OPTIONS}
)


class _CallTrigger(Trigger):
    """A trigger with the integration's call options."""

    _schema: probatio.Schema

    @override
    @classmethod
    async def async_validate_config(
        cls, hass: HomeAssistant, config: ConfigType
    ) -> ConfigType:
        """Validate the trigger's options."""
        return cast(ConfigType, cls._schema(config))

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Take the trigger's options."""
        super().__init__(hass, config)
        self._filter = CallFilter(hass, config.options or {})


class _PushedCallTrigger(_CallTrigger):
    """Fires for the pushed call events of its types."""

    _schema = _PUSHED_SCHEMA
    _types: frozenset[CallEventType]

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        """Run the actions for every matching pushed call event."""

        @callback
        def pushed(
            entry: ClickToDialConfigEntry, events: tuple[CallEvent, ...]
        ) -> None:
            """Run the actions for the matching events of one notification."""
            for event in events:
                if event.type not in self._types:
                    continue
                if (variables := self._filter.pushed(entry, event)) is not None:
                    run_action(variables, _description(event))

        return async_listen_pushed(self._hass, pushed)


def _description(event: CallEvent) -> str:
    """Return what the trace says fired the trigger."""
    return f"{event.type.value} call {event.call.call_id}"


class IncomingCallTrigger(_PushedCallTrigger):
    """A call comes in (it rings)."""

    _types = frozenset({CallEventType.INCOMING})


class MissedCallTrigger(_PushedCallTrigger):
    """A call that came in ended unanswered."""

    _types = frozenset({CallEventType.MISSED})


class CallAnsweredTrigger(_PushedCallTrigger):
    """A call, in or out, was answered."""

    _types = frozenset({CallEventType.ANSWERED})


class CallEndedTrigger(_PushedCallTrigger):
    """A call, in or out, ended; missed ones too (``reason`` tells)."""

    _types = frozenset({CallEventType.ENDED, CallEventType.MISSED})


class CallStatusTrigger(_CallTrigger):
    """A call started through Home Assistant reached a new status."""

    _schema = _STATUS_SCHEMA

    @override
    async def async_attach_runner(
        self,
        run_action: TriggerActionRunner,
        did_not_trigger: TriggerNotTriggeredReporter | None = None,
    ) -> CALLBACK_TYPE:
        """Run the actions for every matching status change."""

        @callback
        def changed(
            entry: ClickToDialConfigEntry, changes: tuple[StatusChange, ...]
        ) -> None:
            """Run the actions for the matching changes of one update."""
            for change in changes:
                if (variables := self._filter.status(entry, change)) is not None:
                    run_action(
                        variables,
                        f"call {change.call.call_id} {change.call.status.value}",
                    )

        return async_listen_status(self._hass, changed)


TRIGGERS: Final[dict[str, type[Trigger]]] = {
    "incoming_call": IncomingCallTrigger,
    "missed_call": MissedCallTrigger,
    "call_answered": CallAnsweredTrigger,
    "call_ended": CallEndedTrigger,
    "call_status": CallStatusTrigger,
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """Return the integration's triggers."""
    return TRIGGERS
