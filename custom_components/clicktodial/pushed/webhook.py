"""The webhook the platform pushes call notifications to.

The webhook's id is the only secret of its URL: it is made once, kept in storage, and never
logged. The handler reads at most a notification's worth of body, parses it and hands it
over; it never raises and never asks the platform anything.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
import re
import secrets
from typing import Final

from aiohttp import web

from custom_components.clicktodial.const import DOMAIN, LOGGER, NOTIFICATION_MAX_BODY
from custom_components.clicktodial.voipgrid import (
    InvalidNotificationError,
    Notification,
)
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant

# Unknown status strings are logged once each, at most this many different ones.
MAX_UNKNOWN_STATUSES: Final = 50
# The ids this integration makes: 64 hexadecimal characters.
_WEBHOOK_ID: Final = re.compile(r"[0-9a-f]{64}")


def new_webhook_id() -> str:
    """Return a new unguessable webhook id."""
    return secrets.token_hex(32)


def valid_webhook_id(value: object) -> bool:
    """Return whether a stored webhook id is one this integration made."""
    return isinstance(value, str) and _WEBHOOK_ID.fullmatch(value) is not None


def async_register(
    hass: HomeAssistant,
    webhook_id: str,
    title: str,
    handle: Callable[[Notification], None],
) -> None:
    """Register the webhook; each notification read goes to ``handle``."""
    unknown_statuses: set[str] = set()

    async def _async_handle_webhook(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Apply one notification; answer 400 (413) to a body that is not one."""
        try:
            body = await _read_body(request)
            if body is None:
                return _answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
            try:
                notification = Notification.from_bytes(body)
            except InvalidNotificationError as err:
                return _answer(HTTPStatus.BAD_REQUEST, str(err))
            if notification.status is None:
                _log_unknown_status(unknown_statuses, notification.raw_status)
            handle(notification)
        except Exception:  # noqa: BLE001 - the platform gets an answer, whatever happens
            LOGGER.exception("Unexpected error while handling a call notification")
        return _answer(HTTPStatus.OK)

    webhook.async_register(
        hass,
        DOMAIN,
        f"Click to dial calls of {title}",
        webhook_id,
        _async_handle_webhook,
        local_only=False,
        allowed_methods=["POST"],
    )


def async_unregister(hass: HomeAssistant, webhook_id: str) -> None:
    """Unregister the webhook."""
    webhook.async_unregister(hass, webhook_id)


def _log_unknown_status(seen: set[str], status: str) -> None:
    """Log a status string the first time it is seen."""
    if status in seen or len(seen) >= MAX_UNKNOWN_STATUSES:
        return
    seen.add(status)
    LOGGER.info("Ignoring call notifications with the status %r", status[:50])


async def _read_body(request: web.Request) -> bytes | None:
    """Return the request's body, or None when it is larger than a notification can be."""
    body = b""
    while chunk := await request.content.read(NOTIFICATION_MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > NOTIFICATION_MAX_BODY:
            return None
    return body


def _answer(status: HTTPStatus, error: str | None = None) -> web.Response:
    """Return a small JSON answer for the platform."""
    body = {"ok": True} if error is None else {"error": error}
    return web.json_response(body, status=status)
