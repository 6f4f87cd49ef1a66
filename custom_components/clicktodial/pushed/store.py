"""What an account's call notifications keep between restarts, read defensively.

One store per account holds the webhook's id, the subscription (in use, stale, asked for),
the recent calls and the missed calls. What cannot be read is left out, and an unusable
webhook id is replaced, so that the account always loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from custom_components.clicktodial.const import (
    DOMAIN,
    LOGGER,
    NOTIFICATIONS_STORAGE_VERSION,
)
from custom_components.clicktodial.storage import async_load_or_replace
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .subscription import SubscriptionState
from .webhook import new_webhook_id, valid_webhook_id

# How the stored data is named in the log.
WHAT: str = "call notifications"


def pushed_calls_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the storage of an account's webhook, subscription, calls and missed calls."""
    return Store(
        hass,
        NOTIFICATIONS_STORAGE_VERSION,
        f"{DOMAIN}.notifications.{entry_id}",
        private=True,
    )


@dataclass(kw_only=True, slots=True)
class StoredPushedCalls:
    """What was read: usable parts only; the lists still to restore item by item."""

    webhook_id: str
    # The webhook id was missing or unusable and is new: write it out.
    new_webhook: bool
    subscription: SubscriptionState
    missed_calls: list[Any]
    calls: list[Any]


async def async_load_pushed_calls(store: Store[dict[str, Any]]) -> StoredPushedCalls:
    """Read an account's store, leaving out what cannot be read."""
    stored = await async_load_or_replace(store, WHAT)
    webhook_id = stored.get("webhook_id")
    valid = valid_webhook_id(webhook_id)
    if not valid and webhook_id is not None:
        LOGGER.warning("The stored webhook of call notifications was replaced")
    missed, calls = stored.get("missed_calls"), stored.get("calls")
    return StoredPushedCalls(
        webhook_id=str(webhook_id) if valid else new_webhook_id(),
        new_webhook=not valid,
        subscription=SubscriptionState.from_dict(stored),
        missed_calls=missed if isinstance(missed, list) else [],
        calls=calls if isinstance(calls, list) else [],
    )
