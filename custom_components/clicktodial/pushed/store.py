"""What an account's call notifications keep between restarts, read defensively.

One store per account holds the webhook's id, the subscription (in use, stale, asked for),
the recent calls and the missed calls. What cannot be read is left out, and an unusable
webhook id is replaced, so that the account always loads. The answer to a subscribe request
that no set-up takes in is written to it directly.
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
from custom_components.clicktodial.voipgrid import VoipgridConnectionError
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .kept import Subscribing
from .webhook import new_webhook_id, valid_webhook_id

# How the stored data is named in the log.
WHAT: str = "call notifications"


@dataclass(frozen=True, kw_only=True, slots=True)
class Subscription:
    """The platform's subscription: its id and the URL it pushes to."""

    id: str
    target_url: str
    cloudhook: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the subscription as stored."""
        return {
            "id": self.id,
            "target_url": self.target_url,
            "cloudhook": self.cloudhook,
        }

    @classmethod
    def from_dict(cls, data: object) -> Subscription | None:
        """Return a stored subscription, or None when there is none or it is unusable."""
        if not isinstance(data, dict):
            return None
        subscription_id, target_url = data.get("id"), data.get("target_url")
        if not isinstance(subscription_id, (str, int)) or isinstance(
            subscription_id, bool
        ):
            return None
        if not isinstance(target_url, str) or not target_url:
            return None
        return cls(
            id=str(subscription_id),
            target_url=target_url,
            cloudhook=data.get("cloudhook") is True,
        )


@dataclass(kw_only=True, slots=True)
class SubscriptionState:
    """What is stored of the subscription: the one in use, those to delete, one asked for."""

    subscription: Subscription | None = None
    # Subscriptions still to delete on the platform.
    stale: list[str]
    # The target URL of a subscribe whose answer has not been taken in yet.
    pending: str | None = None

    def adopt(self, url: str, subscription_id: str, *, cloudhook: bool) -> None:
        """Make a new subscription the one in use; the one it replaces is to delete."""
        if self.subscription is not None and self.subscription.id != subscription_id:
            self.stale.append(self.subscription.id)
        self.subscription = Subscription(
            id=subscription_id, target_url=url, cloudhook=cloudhook
        )
        self.pending = None

    def retire(self) -> None:
        """Make the subscription in use one to delete."""
        if self.subscription is not None:
            self.stale.append(self.subscription.id)
            self.subscription = None

    def take(self, subscribing: Subscribing) -> None:
        """Take in the answer of a finished subscribe request."""
        if (subscription_id := subscribing.answer()) is not None:
            self.adopt(
                subscribing.target_url, subscription_id, cloudhook=subscribing.cloudhook
            )
        elif not isinstance(subscribing.error(), VoipgridConnectionError | None):
            # The platform answered with an error: it made no subscription.
            self.pending = None

    def as_dict(self) -> dict[str, Any]:
        """Return the state as stored."""
        return {
            "subscription": self.subscription.as_dict() if self.subscription else None,
            "stale": list(self.stale),
            "pending": self.pending,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubscriptionState:
        """Return the state stored, leaving out what cannot be read."""
        stale = data.get("stale")
        pending = data.get("pending")
        return cls(
            subscription=Subscription.from_dict(data.get("subscription")),
            stale=[
                str(item)
                for item in (stale if isinstance(stale, list) else [])
                if isinstance(item, (str, int)) and not isinstance(item, bool)
            ],
            pending=pending if isinstance(pending, str) and pending else None,
        )


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


async def async_store_answer(
    hass: HomeAssistant, entry_id: str, subscribing: Subscribing, *, wanted: bool
) -> None:
    """Write the answer of a subscribe request no set-up takes in to the account's store.

    The subscription it made is kept as the one in use while the option is on (``wanted``),
    else as one to delete: the next set-up uses or deletes it.
    """
    store = pushed_calls_store(hass, entry_id)
    stored = await async_load_or_replace(store, WHAT)
    state = SubscriptionState.from_dict(stored)
    state.take(subscribing)
    if not wanted:
        state.retire()
    await store.async_save({**stored, **state.as_dict()})
