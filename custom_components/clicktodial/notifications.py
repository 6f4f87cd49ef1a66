"""Call notifications of one account: the webhook, the platform subscription, the calls' state.

While the account's option is on, the platform pushes every call of the account's
environment to a Home Assistant webhook: a Home Assistant Cloud cloudhook when Cloud is
subscribed, else the webhook on Home Assistant's external URL. The webhook's id is the only
secret of that URL: it is made once, kept in storage, and never logged.

The subscription is made in the background and never holds up the account's setup: once
per target URL (kept in storage, so a restart subscribes nothing again), retried with
growing pauses when the platform fails, and deleted when the option is turned off or the
account is removed. The webhook handler only reads and applies notifications; it never
asks the platform anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
import secrets
from typing import TYPE_CHECKING, Any, Final
import uuid

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.const import CONF_EMAIL, CONF_NAME, CONF_URL, Platform
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import (
    entity_registry as er,
    issue_registry as ir,
    translation,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_API_TOKEN,
    CONF_CALL_NOTIFICATIONS,
    CONF_NUMBER,
    DOMAIN,
    LOGGER,
    NOTIFICATION_MAX_BODY,
    NOTIFICATIONS_SAVE_DELAY,
    NOTIFICATIONS_STORAGE_VERSION,
    SUBSCRIBE_RETRY_INITIAL,
    SUBSCRIBE_RETRY_MAX,
)
from .notification_state import (
    CallEvent,
    CallEventType,
    MissedCall,
    MissedCalls,
    NotifiedCall,
    NotifiedCalls,
    PhoneState,
    missed_call_summary,
)
from .voipgrid import (
    InvalidNotificationError,
    Notification,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    calling_code,
    same_number,
)

if TYPE_CHECKING:
    from .runtime import ClickToDialConfigEntry

# The entities of call notifications: (platform, unique id suffix).
NOTIFICATION_ENTITIES: Final = (
    (Platform.SENSOR, "phone"),
    (Platform.EVENT, "phone_calls"),
    (Platform.TODO, "missed_calls"),
)
ISSUE_NO_URL: Final = "notifications_no_url"
ISSUE_FORBIDDEN: Final = "notifications_forbidden"
# Unknown status strings are logged once each, at most this many different ones.
MAX_UNKNOWN_STATUSES: Final = 50

type CallEventListener = Callable[[list[CallEvent]], None]


def notifications_enabled(entry: ClickToDialConfigEntry) -> bool:
    """Return whether the account follows all its calls."""
    return bool(entry.options.get(CONF_CALL_NOTIFICATIONS))


def _store(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> Store[dict[str, Any]]:
    """Return the storage of an account's webhook, subscription and missed calls."""
    return Store(
        hass,
        NOTIFICATIONS_STORAGE_VERSION,
        f"{DOMAIN}.notifications.{entry.entry_id}",
        private=True,
    )


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
        """Return a stored subscription, or None."""
        if not isinstance(data, dict):
            return None
        return cls(
            id=str(data["id"]),
            target_url=str(data["target_url"]),
            cloudhook=bool(data.get("cloudhook")),
        )


class _NotYetError(Exception):
    """The target URL cannot be known yet (Home Assistant Cloud is not connected)."""


class CallNotifications:
    """The call notifications of one account."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> None:
        """Prepare; nothing is read, registered or sent yet."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.enabled = notifications_enabled(entry)
        self.calls = NotifiedCalls(name_of=self._contact_name)
        self.missed = MissedCalls()
        self.webhook_id: str | None = None
        self.subscription: Subscription | None = None
        # Subscriptions still to delete on the platform.
        self.stale: list[str] = []
        self._store = _store(hass, entry)
        self._listeners: list[CallEventListener] = []
        self._unknown_statuses: set[str] = set()
        self._unknown_caller = ""
        self._retry_delay = SUBSCRIBE_RETRY_INITIAL
        self._unsub_retry: CALLBACK_TYPE | None = None
        self._unsub_forget: CALLBACK_TYPE | None = None
        self._sync_lock = asyncio.Lock()
        self._loaded = False
        self._stopped = False

    # -- setup and unload ------------------------------------------------------------------

    async def async_setup(self) -> None:
        """Read what is stored; with the option off, remove what the option made."""
        stored = await self._store.async_load() or {}
        self.webhook_id = stored.get("webhook_id")
        self.subscription = Subscription.from_dict(stored.get("subscription"))
        self.stale = [str(sid) for sid in stored.get("stale", [])]
        self.missed.restore(stored.get("missed_calls", []))
        self._loaded = True
        if self.enabled:
            translations = await translation.async_get_translations(
                self.hass, self.hass.config.language, "entity", {DOMAIN}
            )
            self._unknown_caller = translations.get(
                f"component.{DOMAIN}.entity.todo.missed_calls.state.unknown_caller", ""
            )
            if self.webhook_id is None:
                self.webhook_id = secrets.token_hex(32)
                await self._async_save_now()
            return
        registry = er.async_get(self.hass)
        for platform, key in NOTIFICATION_ENTITIES:
            unique_id = f"{self.entry.unique_id}_{key}"
            if entity_id := registry.async_get_entity_id(platform, DOMAIN, unique_id):
                registry.async_remove(entity_id)
        self._delete_issues()
        if self.subscription is not None:
            self.stale.append(self.subscription.id)
            self.subscription = None
        if self.missed.items or self.stale:
            self.missed.items.clear()
            await self._async_save_now()

    @callback
    def async_start(self) -> None:
        """Register the webhook and bring the platform's subscription in line."""
        self.entry.async_on_unload(self._async_stop)
        if self.enabled:
            assert self.webhook_id is not None
            webhook.async_register(
                self.hass,
                DOMAIN,
                f"Click to dial calls of {self.entry.title}",
                self.webhook_id,
                self._async_handle_webhook,
                local_only=False,
                allowed_methods=["POST"],
            )
        if self.enabled or self.stale:
            self._start_sync()

    async def _async_stop(self) -> None:
        """Unregister the webhook, stop the timers and write the state out (unload)."""
        self._stopped = True
        if self.enabled and self.webhook_id is not None:
            webhook.async_unregister(self.hass, self.webhook_id)
        for unsub in (self._unsub_retry, self._unsub_forget):
            if unsub is not None:
                unsub()
        self._unsub_retry = self._unsub_forget = None
        if self.enabled or self.stale:
            await self._async_save_now()

    # -- the subscription ------------------------------------------------------------------

    @callback
    def _start_sync(self, _now: datetime | None = None) -> None:
        """Bring the subscription in line in the background, never holding up the setup."""
        self._unsub_retry = None
        self.entry.async_create_background_task(
            self.hass, self._async_sync(), name=f"{DOMAIN} call notifications"
        )

    async def _async_sync(self) -> None:
        """Subscribe the target URL once, delete stale subscriptions; retry when it fails."""
        async with self._sync_lock:
            try:
                await self._async_subscribe()
                while self.stale:
                    await self.client.unsubscribe_call_notifications(self.stale[0])
                    self.stale.pop(0)
                    await self._async_save_now()
            except VoipgridAuthenticationError as err:
                if err.status == 403:
                    self._create_issue(ISSUE_FORBIDDEN)
                else:
                    self.entry.async_start_reauth(self.hass)
                LOGGER.warning(
                    "The platform refused to manage call notifications (HTTP %s)",
                    err.status,
                )
            except VoipgridNotFoundError:
                self._create_issue(ISSUE_FORBIDDEN)
                LOGGER.warning(
                    "The platform has no call notifications for this account"
                )
            except (VoipgridError, _NotYetError) as err:
                delay = self._retry_delay
                if isinstance(err, VoipgridRateLimitError):
                    delay = max(delay, err.retry_after)
                self._retry_delay = min(self._retry_delay * 2, SUBSCRIBE_RETRY_MAX)
                LOGGER.info(
                    "Call notifications not set up yet (%s); trying again in %.0f s",
                    type(err).__name__,
                    delay,
                )
                if not self._stopped:
                    self._unsub_retry = async_call_later(
                        self.hass,
                        delay,
                        HassJob(
                            self._start_sync,
                            "clicktodial call notifications retry",
                            cancel_on_shutdown=True,
                        ),
                    )
            else:
                self._retry_delay = SUBSCRIBE_RETRY_INITIAL

    async def _async_subscribe(self) -> None:
        """Subscribe the target URL if it is not subscribed yet."""
        if not self.enabled:
            return
        target = await self._async_target_url()
        if target is None:
            self._create_issue(ISSUE_NO_URL)
            if self.subscription is not None:
                self.stale.append(self.subscription.id)
                self.subscription = None
                await self._async_save_now()
            return
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_NO_URL))
        url, cloudhook = target
        if self.subscription is None or self.subscription.target_url != url:
            subscription_id = await self.client.subscribe_call_notifications(url)
            if self.subscription is not None:
                self.stale.append(self.subscription.id)
            self.subscription = Subscription(
                id=subscription_id, target_url=url, cloudhook=cloudhook
            )
            await self._async_save_now()
            LOGGER.debug("Subscribed to the account's call notifications")
        ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_FORBIDDEN))

    async def _async_target_url(self) -> tuple[str, bool] | None:
        """Return the URL the platform should push to and whether it is a cloudhook."""
        assert self.webhook_id is not None
        if "cloud" in self.hass.config.components:
            # Imported here: Home Assistant Cloud is optional (an after-dependency).
            from homeassistant.components import cloud  # noqa: PLC0415

            if cloud.async_active_subscription(self.hass):
                try:
                    url = await cloud.async_get_or_create_cloudhook(
                        self.hass, self.webhook_id
                    )
                except cloud.CloudNotAvailable as err:
                    # Connecting; a cloudhook subscribed before stays as it is.
                    if self.subscription is not None and self.subscription.cloudhook:
                        return self.subscription.target_url, True
                    raise _NotYetError from err
                return url, True
        try:
            return (
                webhook.async_generate_url(
                    self.hass, self.webhook_id, allow_internal=False
                ),
                False,
            )
        except NoURLAvailableError:
            return None

    # -- receiving -------------------------------------------------------------------------

    async def _async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Apply one notification; answer 400 (413) to a body that is not one.

        Never raises and never asks the platform anything.
        """
        try:
            body = await _read_body(request)
            if body is None:
                return _answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body too large")
            try:
                notification = Notification.from_bytes(body)
            except InvalidNotificationError as err:
                return _answer(HTTPStatus.BAD_REQUEST, str(err))
            self.async_apply(notification)
        except Exception:  # noqa: BLE001 - the platform gets an answer, whatever happens
            LOGGER.exception("Unexpected error while handling a call notification")
        return _answer(HTTPStatus.OK)

    @callback
    def async_apply(self, notification: Notification) -> None:
        """Apply a notification and tell the entities what it changed."""
        if notification.status is None:
            self._log_unknown_status(notification.raw_status)
        now = self.hass.loop.time()
        events = self.calls.apply(notification, now)
        for event in events:
            if event.type is CallEventType.MISSED:
                self._add_missed_call(event)
        self._notify(events)
        self._schedule_forget()

    def _log_unknown_status(self, status: str) -> None:
        """Log a status string the first time it is seen."""
        if (
            status in self._unknown_statuses
            or len(self._unknown_statuses) >= MAX_UNKNOWN_STATUSES
        ):
            return
        self._unknown_statuses.add(status)
        LOGGER.info("Ignoring call notifications with the status %r", status[:50])

    def _add_missed_call(self, event: CallEvent) -> None:
        """Put a missed call on the list and write it out."""
        call = event.call
        self.missed.add(
            MissedCall(
                uid=uuid.uuid4().hex,
                summary=missed_call_summary(
                    event.caller_name, call.caller_number, self._unknown_caller
                ),
                call_id=call.call_id,
                caller_number=call.caller_number,
                caller_name=event.caller_name,
                missed_at=dt_util.utcnow(),
            )
        )
        self.async_save()

    @callback
    def async_save(self) -> None:
        """Write the missed calls out soon."""
        self._store.async_delay_save(self._as_stored, NOTIFICATIONS_SAVE_DELAY)

    async def _async_save_now(self) -> None:
        """Write everything out now."""
        if self._loaded:
            await self._store.async_save(self._as_stored())

    def _as_stored(self) -> dict[str, Any]:
        """Return what is stored."""
        return {
            "webhook_id": self.webhook_id,
            "subscription": self.subscription.as_dict() if self.subscription else None,
            "stale": self.stale,
            "missed_calls": self.missed.as_stored(),
        }

    # -- forgetting silent calls -----------------------------------------------------------

    @callback
    def _schedule_forget(self) -> None:
        """Plan to forget the next call that stays silent too long.

        A plan already made stays: calls only grow later to forget (each notification
        moves its call's time on), so the timer fires early at worst, and plans again.
        """
        if (
            self._stopped
            or self._unsub_forget is not None
            or (when := self.calls.next_forget()) is None
        ):
            return
        self._unsub_forget = async_call_later(
            self.hass,
            max(when - self.hass.loop.time(), 0),
            HassJob(
                self._forget, "clicktodial forget silent calls", cancel_on_shutdown=True
            ),
        )

    @callback
    def _forget(self, _now: datetime) -> None:
        """Forget the calls silent for too long."""
        self._unsub_forget = None
        if self.calls.forget_silent(self.hass.loop.time()):
            LOGGER.debug("A call without an end was forgotten after hours of silence")
            self._notify([])
        self._schedule_forget()

    # -- what entities read ----------------------------------------------------------------

    @property
    def phone(self) -> tuple[PhoneState, NotifiedCall | None]:
        """Return the phone's state and the call it is about."""
        return self.calls.phone

    @callback
    def async_add_listener(self, listener: CallEventListener) -> CALLBACK_TYPE:
        """Call ``listener`` with the events of each notification (none: a state change)."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    def _notify(self, events: list[CallEvent]) -> None:
        """Tell every listener."""
        for listener in list(self._listeners):
            listener(events)

    def _contact_name(self, number: str | None) -> str | None:
        """Return the name of the account's contact with this number, if any."""
        if not number:
            return None
        code = calling_code(self.hass.config.country)
        for subentry in self.entry.subentries.values():
            if same_number(number, subentry.data.get(CONF_NUMBER), code):
                return str(subentry.data[CONF_NAME])
        return None

    def diagnostics(self) -> dict[str, Any]:
        """Return what diagnostics show: no URL, no id, no number."""
        state, _call = self.phone
        return {
            "enabled": self.enabled,
            "subscribed": self.subscription is not None,
            "cloudhook": bool(self.subscription and self.subscription.cloudhook),
            "stale_subscriptions": len(self.stale),
            "retrying": self._unsub_retry is not None,
            "phone": state.value,
            "calls": len(self.calls.calls),
            "missed_calls": len(self.missed.items),
            "open_missed_calls": self.missed.open_count,
        }

    # -- repair issues ---------------------------------------------------------------------

    def _issue_id(self, key: str) -> str:
        """Return the id of one of this account's issues."""
        return f"{key}_{self.entry.entry_id}"

    def _create_issue(self, key: str) -> None:
        """Raise a repair issue of this account."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id(key),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=key,
            translation_placeholders={"account": self.entry.title},
        )

    def _delete_issues(self) -> None:
        """Remove this account's repair issues."""
        for key in (ISSUE_NO_URL, ISSUE_FORBIDDEN):
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(key))


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


async def async_remove_notifications(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> None:
    """Delete a removed account's subscriptions, cloudhook and storage (one attempt)."""
    store = _store(hass, entry)
    stored = await store.async_load() or {}
    ids = [str(sid) for sid in stored.get("stale", [])]
    subscription = Subscription.from_dict(stored.get("subscription"))
    if subscription is not None:
        ids.append(subscription.id)
    if ids:
        client = VoipgridClient(
            async_get_clientsession(hass),
            base_url=entry.data[CONF_URL],
            email=entry.data[CONF_EMAIL],
            api_token=entry.data[CONF_API_TOKEN],
        )
        for subscription_id in ids:
            try:
                await client.unsubscribe_call_notifications(subscription_id)
            except VoipgridError as err:
                LOGGER.warning(
                    "Could not delete the call notification subscription of a removed "
                    "account (%s); the platform may keep sending to this Home Assistant",
                    type(err).__name__,
                )
    if (
        subscription is not None
        and subscription.cloudhook
        and "cloud" in hass.config.components
    ):
        from homeassistant.components import cloud  # noqa: PLC0415

        with contextlib.suppress(cloud.CloudNotAvailable, ValueError):
            await cloud.async_delete_cloudhook(hass, str(stored["webhook_id"]))
    for key in (ISSUE_NO_URL, ISSUE_FORBIDDEN):
        ir.async_delete_issue(hass, DOMAIN, f"{key}_{entry.entry_id}")
    await store.async_remove()
