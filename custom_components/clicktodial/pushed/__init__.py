"""The calls the platform pushes: their state, the subscription, the webhook, the coordinator."""

from .coordinator import (
    PushedCallsCoordinator,
    PushedCallsData,
    async_get_pushed_calls,
    async_release_pushed_calls,
    async_remove_pushed_calls,
    notifications_enabled,
)
from .store import pushed_calls_store

__all__ = [
    "PushedCallsCoordinator",
    "PushedCallsData",
    "async_get_pushed_calls",
    "async_release_pushed_calls",
    "async_remove_pushed_calls",
    "notifications_enabled",
    "pushed_calls_store",
]
