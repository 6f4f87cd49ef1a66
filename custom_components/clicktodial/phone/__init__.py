"""The calls the platform pushes: their state, the subscription, the webhook, the coordinator."""

from .coordinator import (
    PhoneCoordinator,
    PhoneData,
    async_get_phone,
    async_release_phone,
    async_remove_phone,
    notifications_enabled,
)
from .store import phone_store

__all__ = [
    "PhoneCoordinator",
    "PhoneData",
    "async_get_phone",
    "async_release_phone",
    "async_remove_phone",
    "notifications_enabled",
    "phone_store",
]
