"""The subscription of an account's call notifications: made and deleted."""

from __future__ import annotations

from typing import Final

from .core import VoipgridCore
from .errors import VoipgridNotFoundError
from .notification import subscription_id

CALL_NOTIFICATION_PATH: Final = "/api/callnotification/callnotification/"


class SubscriptionRequests(VoipgridCore):
    """The requests of call notification subscriptions."""

    async def subscribe_call_notifications(
        self, target_url: str, *, request_timeout: float | None = None
    ) -> str:
        """Have the platform push every call of the account to ``target_url``; return its id.

        ``request_timeout`` (seconds) replaces the client's own: an answer given up on may still
        have made a subscription, so a caller can choose to wait longer.
        """
        return subscription_id(
            await self._request(
                "POST",
                CALL_NOTIFICATION_PATH,
                {"target_url": target_url, "event": "custom"},
                request_timeout=request_timeout,
            )
        )

    async def unsubscribe_call_notifications(self, subscription: str) -> None:
        """Delete a subscription; one the platform no longer knows is deleted already."""
        try:
            await self._request("DELETE", f"{CALL_NOTIFICATION_PATH}{subscription}/")
        except VoipgridNotFoundError:
            return
