"""The calls the platform pushes: their state, the subscription, the webhook, the coordinator."""

from .coordinator import (
    PushedCallsCoordinator,
    PushedCallsData,
    async_get_pushed_calls,
    async_remove_pushed_calls,
)
from .store import pushed_calls_store
from .subscription import notifications_enabled

__all__ = [
    "PushedCallsCoordinator",
    "PushedCallsData",
    "async_get_pushed_calls",
    "async_remove_pushed_calls",
    "notifications_enabled",
    "pushed_calls_store",
]
