"""Diagnostics of the Click to dial integration, with secrets and numbers redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL
from homeassistant.core import HomeAssistant

from .const import CONF_A_NUMBER, CONF_API_TOKEN, CONF_B_CLI, CONF_B_NUMBER
from .pushed import PushedCallsCoordinator
from .reads.phones import PhonesCoordinator
from .runtime import ClickToDialConfigEntry
from .voipgrid import Destinations

TO_REDACT = {
    "title",
    CONF_API_TOKEN,
    CONF_EMAIL,
    CONF_A_NUMBER,
    CONF_B_CLI,
    CONF_B_NUMBER,
    "contact",
    "first_name",
    "preposition",
    "last_name",
    # Which phone rings and which phones are online: the phones' numbers and names.
    "number",
    "description",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> dict[str, Any]:
    """Return diagnostics of one account."""
    coordinator = entry.runtime_data.coordinator
    profile = coordinator.profile
    destinations = entry.runtime_data.destinations
    diagnostics: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": dict(entry.options),
        },
        "profile": asdict(profile) if profile else None,
        "latest_call": latest.as_dict()
        if (latest := coordinator.data.latest)
        else None,
        "tracked_calls": [call.as_dict() for call in coordinator.tracked_calls],
        "last_update_success": coordinator.last_update_success,
        "destinations": None
        if destinations is None
        else {
            "data": _destinations(destinations.data) if destinations.data else None,
            "last_update_success": destinations.last_update_success,
        },
        "phones_online": None
        if (phones := entry.runtime_data.phones) is None
        else _phones(phones, entry.runtime_data.user_phones),
    }
    if (history := entry.runtime_data.history) is not None:
        # Counts only: no number or name of anyone called.
        diagnostics["call_history"] = history.diagnostics()
    if (queues := entry.runtime_data.queues) is not None:
        # Counts only: queues are named after the company's teams.
        diagnostics["call_queues"] = {
            "queues": None if queues.data is None else len(queues.data.queues),
            "waiting": None
            if queues.data is None
            else sum(queue.waiting or 0 for queue in queues.data.queues.values()),
            "last_update_success": queues.last_update_success,
        }
    if (caller_ids := entry.runtime_data.caller_ids) is not None:
        diagnostics["caller_ids"] = {
            "numbers": None if caller_ids.data is None else len(caller_ids.data),
            "last_update_success": caller_ids.last_update_success,
        }
    if (pushed := entry.runtime_data.pushed).enabled:
        diagnostics["call_notifications"] = _pushed_calls(pushed)
    return async_redact_data(diagnostics, TO_REDACT)


def _pushed_calls(pushed: PushedCallsCoordinator) -> dict[str, Any]:
    """Return the pushed calls' counts and states: no webhook URL or id, no number."""
    subscription = pushed.subscription.subscription
    return {
        "enabled": pushed.enabled,
        "subscribed": subscription is not None,
        "cloudhook": bool(subscription and subscription.cloudhook),
        "stale_subscriptions": len(pushed.subscription.stale),
        "subscribe_pending": pushed.subscription.pending is not None,
        "retrying": pushed.manager is not None and pushed.manager.retrying,
        "phone": pushed.data.state.value,
        "calls": len(pushed.calls.calls),
        "missed_calls": len(pushed.missed.items),
        "open_missed_calls": pushed.missed.open_count,
    }


def _destinations(destinations: Destinations) -> dict[str, Any]:
    """Return which phone rings as data to redact (lists, which redaction goes into)."""
    return {
        "phone_accounts": [asdict(item) for item in destinations.phone_accounts],
        "fixed_destinations": [
            asdict(item) for item in destinations.fixed_destinations
        ],
        "selected": asdict(destinations.selected),
    }


def _phones(
    phones: PhonesCoordinator, user_phones: Destinations | None
) -> dict[str, Any]:
    """Return how many of the company's phones are online, and which of the user's."""
    data = phones.data
    return {
        "data": None
        if data is None
        else {
            "phone_accounts": len(data.accounts),
            "registered": sum(account.registered for account in data.accounts.values()),
            "complete": data.complete,
            # The user's phone accounts as the list describes them (colleagues' are
            # only counted); their numbers and descriptions are redacted.
            "user_phones": [
                asdict(data.accounts[phone.id])
                for phone in (user_phones.phone_accounts if user_phones else ())
                if phone.id in data.accounts
            ],
        },
        "last_update_success": phones.last_update_success,
    }
