"""The platform's subscription of an account's call notifications: made once, never lost.

While the option is on, the platform pushes every call to a Home Assistant webhook: a Home
Assistant Cloud cloudhook when Cloud is subscribed, else the webhook on Home Assistant's
external URL. The subscription is made in the background and never holds up the setup:
once per target URL (kept in storage, so a restart subscribes nothing again), retried with
growing pauses when the platform fails and while the account is rate limited, and deleted
when the option is turned off or the account is removed.

A subscribe request is sent at most once at a time per account, and its answer is never
dropped: the target URL is written down before the request goes out, the request outlives
a reload of the account (it is not cancelled with it; it is kept, see ``kept.py``) and Home
Assistant waits for it when it stops. The answer is kept while the option is on, else
deleted: by the account's kept coordinator (its current set-up), or with none (the account
unloaded or disabled) written to the account's store for the next set-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from datetime import datetime
from typing import Any, Final

from custom_components.clicktodial.const import (
    CONF_API_TOKEN,
    CONF_CALL_NOTIFICATIONS,
    DOMAIN,
    LOGGER,
    SUBSCRIBE_RETRY_INITIAL,
    SUBSCRIBE_RETRY_MAX,
    SUBSCRIBE_TIMEOUT,
)
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    Backoff,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
)
from homeassistant.components import webhook
from homeassistant.const import CONF_EMAIL, CONF_URL
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.network import NoURLAvailableError

from .kept import Subscribing, kept
from .store import Subscription, SubscriptionState, async_store_answer

ISSUE_NO_URL: Final = "notifications_no_url"
ISSUE_FORBIDDEN: Final = "notifications_forbidden"
ISSUES: Final = (ISSUE_NO_URL, ISSUE_FORBIDDEN)


def notifications_enabled(entry: ClickToDialConfigEntry) -> bool:
    """Return whether the account follows all its calls (and is subscribed)."""
    return bool(entry.options.get(CONF_CALL_NOTIFICATIONS))


class _NotYetError(Exception):
    """The target URL cannot be known yet (Home Assistant Cloud is not connected)."""


class SubscriptionManager:
    """Brings the platform's subscription of one account in line with its option.

    ``save`` writes the account's notification storage out now.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ClickToDialConfigEntry,
        *,
        state: SubscriptionState,
        webhook_id: str,
        wanted: bool,
        save: Callable[[], Awaitable[None]],
    ) -> None:
        """Prepare; nothing is sent until started."""
        self.hass = hass
        self.entry = entry
        self.state = state
        self.webhook_id = webhook_id
        self.wanted = wanted
        self._save = save
        self._backoff = Backoff(SUBSCRIBE_RETRY_INITIAL, SUBSCRIBE_RETRY_MAX)
        self._lock = asyncio.Lock()
        self._unsub_retry: CALLBACK_TYPE | None = None
        # The subscribe request a sync of this set-up is waiting for.
        self._awaiting: Subscribing | None = None
        self._stopped = False

    @property
    def retrying(self) -> bool:
        """Return whether a retry is planned."""
        return self._unsub_retry is not None

    @callback
    def async_start(self) -> None:
        """Start syncing; a subscribe request on its way hands its answer to this set-up."""
        if not self.wanted:
            self.state.retire()
        if self.wanted or self.state.stale:
            self._start_sync()

    @callback
    def async_stop(self) -> None:
        """Stop retrying; a subscribe on its way goes on: its answer is kept all the same."""
        self._stopped = True
        if self._unsub_retry is not None:
            self._unsub_retry()
            self._unsub_retry = None

    @callback
    def _start_sync(self, _now: datetime | None = None) -> None:
        """Bring the subscription in line in the background, never holding up the setup."""
        self._unsub_retry = None
        self.entry.async_create_background_task(
            self.hass, self._async_sync(), name=f"{DOMAIN} call notifications"
        )

    async def _async_sync(self) -> None:
        """Subscribe the target URL once, delete stale subscriptions; retry when it fails."""
        async with self._lock:
            if (
                self._stopped
                or kept(self.hass, self.entry.entry_id).subscribing is not None
            ):
                # The answer of the request on its way starts the next sync.
                return
            client = self.entry.runtime_data.client
            if (paused := client.rate_limit.paused_for()) > 0:
                self._retry(paused)
                return
            try:
                await self._async_subscribe()
                while self.state.stale:
                    await client.unsubscribe_call_notifications(self.state.stale[0])
                    self.state.stale.pop(0)
                    await self._save()
            except (VoipgridAuthenticationError, VoipgridNotFoundError) as err:
                _refused(self.hass, self.entry, err)
            except (VoipgridError, _NotYetError) as err:
                delay = self._backoff.fail(self.hass.loop.time())
                if isinstance(err, VoipgridRateLimitError):
                    delay = max(delay, err.retry_after)
                LOGGER.info(
                    "Call notifications not set up yet (%s); trying again in %.0f s",
                    type(err).__name__,
                    delay,
                )
                self._retry(delay)
            else:
                self._backoff.reset()

    def _retry(self, delay: float) -> None:
        """Plan the next sync in ``delay`` seconds."""
        self._unsub_retry = async_call_later(
            self.hass,
            delay,
            HassJob(
                self._start_sync,
                "clicktodial call notifications retry",
                cancel_on_shutdown=True,
            ),
        )

    async def _async_subscribe(self) -> None:
        """Subscribe the target URL if it is not subscribed yet."""
        if not self.wanted:
            return
        target = await async_target_url(
            self.hass, self.webhook_id, self.state.subscription
        )
        if target is None:
            create_issue(self.hass, self.entry, ISSUE_NO_URL)
            if self.state.subscription is not None:
                self.state.retire()
                await self._save()
            return
        ir.async_delete_issue(
            self.hass, DOMAIN, issue_id(ISSUE_NO_URL, self.entry.entry_id)
        )
        url, cloudhook = target
        subscription = self.state.subscription
        if subscription is None or subscription.target_url != url:
            if self.state.pending is not None:
                LOGGER.warning(
                    "The answer to an earlier subscription of call notifications never "
                    "came; if calls now arrive twice, delete the older subscription in "
                    "the platform's web portal"
                )
            # Written down before the request goes out.
            self.state.pending = url
            await self._save()
            subscribing = _send(self.hass, self.entry, url, cloudhook)
            self._awaiting = subscribing
            try:
                # Waiting is cancelled with this sync (an unload); the request is not.
                await asyncio.wait([subscribing.task])
            finally:
                self._awaiting = None
            self._take_answer(subscribing)
            await self._save()
            if (err := subscribing.error()) is not None:
                raise err
            LOGGER.debug("Subscribed to the account's call notifications")
        ir.async_delete_issue(
            self.hass, DOMAIN, issue_id(ISSUE_FORBIDDEN, self.entry.entry_id)
        )

    def _take_answer(self, subscribing: Subscribing) -> None:
        """Take in the answer of a subscribe request that is done (the sync raises errors)."""
        take_answer(self.hass, self.entry.entry_id, subscribing, self.state)

    def busy_with(self, subscribing: Subscribing) -> bool:
        """Return whether a sync of this set-up waits for that request's answer."""
        return self._awaiting is subscribing

    @callback
    def answered_later(self, subscribing: Subscribing) -> None:
        """Take the answer of a request an earlier set-up (or sync) sent, and sync again."""
        take_answer(
            self.hass, self.entry.entry_id, subscribing, self.state, wanted=self.wanted
        )
        self.entry.async_create_background_task(
            self.hass, self._async_save_and_sync(), name=f"{DOMAIN} subscribe answer"
        )

    async def _async_save_and_sync(self) -> None:
        """Write the answer out, then sync."""
        await self._save()
        await self._async_sync()


async def async_target_url(
    hass: HomeAssistant, webhook_id: str, subscription: Subscription | None
) -> tuple[str, bool] | None:
    """Return the URL the platform should push to and whether it is a cloudhook."""
    if "cloud" in hass.config.components:
        # Imported here: Home Assistant Cloud is optional (an after-dependency).
        from homeassistant.components import cloud  # noqa: PLC0415

        if cloud.async_active_subscription(hass):
            try:
                url = await cloud.async_get_or_create_cloudhook(hass, webhook_id)
            except cloud.CloudNotAvailable as err:
                # Connecting; a cloudhook subscribed before stays as it is.
                if subscription is not None and subscription.cloudhook:
                    return subscription.target_url, True
                raise _NotYetError from err
            return url, True
    try:
        return (
            webhook.async_generate_url(hass, webhook_id, allow_internal=False),
            False,
        )
    except NoURLAvailableError:
        return None


def _refused(
    hass: HomeAssistant,
    entry: ClickToDialConfigEntry,
    err: VoipgridAuthenticationError | VoipgridNotFoundError,
) -> None:
    """Say the platform refuses call notifications: a repair issue, or a new token."""
    if isinstance(err, VoipgridNotFoundError):
        create_issue(hass, entry, ISSUE_FORBIDDEN)
        LOGGER.warning("The platform has no call notifications for this account")
        return
    if err.status == 403:
        create_issue(hass, entry, ISSUE_FORBIDDEN)
    else:
        entry.async_start_reauth(hass)
    LOGGER.warning(
        "The platform refused to manage call notifications (HTTP %s)", err.status
    )


def create_issue(hass: HomeAssistant, entry: ClickToDialConfigEntry, key: str) -> None:
    """Raise a repair issue of an account."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(key, entry.entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"account": entry.title},
    )


def issue_id(key: str, entry_id: str) -> str:
    """Return the id of one of an account's issues."""
    return f"{key}_{entry_id}"


def delete_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Remove an account's repair issues about call notifications."""
    for key in ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(key, entry_id))


def _send(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, url: str, cloudhook: bool
) -> Subscribing:
    """Send a subscribe request as a task of its own that no unload cancels."""
    entry_id = entry.entry_id
    task = hass.async_create_background_task(
        entry.runtime_data.client.subscribe_call_notifications(
            url, request_timeout=SUBSCRIBE_TIMEOUT
        ),
        name=f"{DOMAIN} subscribe call notifications",
    )
    # Home Assistant waits for the answer before it stops (and cancels tasks).
    remove_job = hass.async_add_shutdown_job(
        HassJob(_async_wait, "clicktodial subscribe answer"), hass, entry_id, task
    )
    subscribing = kept(hass, entry_id).subscribing = Subscribing(
        task=task, target_url=url, cloudhook=cloudhook, remove_shutdown_job=remove_job
    )
    task.add_done_callback(lambda _task: _answered(hass, entry_id, subscribing))
    return subscribing


def take_answer(
    hass: HomeAssistant,
    entry_id: str,
    subscribing: Subscribing,
    state: SubscriptionState,
    *,
    wanted: bool = True,
) -> None:
    """Take the answer of a finished request into ``state``, off what is kept.

    Not ``wanted`` (the option is off), the subscription it made is one to delete.
    """
    _let_go(hass, entry_id, subscribing)
    state.take(subscribing)
    if not wanted:
        state.retire()


def _let_go(hass: HomeAssistant, entry_id: str, subscribing: Subscribing) -> None:
    """Keep a finished request no longer: its answer is taken in."""
    record = kept(hass, entry_id)
    if record.subscribing is subscribing:
        record.subscribing = None
        subscribing.remove_shutdown_job()


@callback
def _answered(hass: HomeAssistant, entry_id: str, subscribing: Subscribing) -> None:
    """Hand the answer of a subscribe request on (at once, unless the store is busy)."""
    hass.async_create_background_task(
        _async_hand_on(hass, entry_id, subscribing),
        name=f"{DOMAIN} subscribe answer",
        eager_start=True,
    )


async def _async_hand_on(
    hass: HomeAssistant, entry_id: str, subscribing: Subscribing
) -> None:
    """Give a subscribe request's answer to the kept coordinator, or with none the store.

    As the request finishes, unless the store is being read or written: a sync waiting
    for it then writes it out (or retries after an error), else the manager syncs again;
    a kept coordinator whose set-up failed (or has not started its manager yet) keeps it
    for its manager.
    """
    record = kept(hass, entry_id)
    async with record.lock:
        if record.subscribing is not subscribing:
            return  # taken in already
        if (pushed := record.pushed) is None:
            entry = hass.config_entries.async_get_entry(entry_id)
            wanted = entry is not None and notifications_enabled(entry)
            _let_go(hass, entry_id, subscribing)
            await async_store_answer(hass, entry_id, subscribing, wanted=wanted)
        elif (manager := pushed.manager) is None:
            take_answer(
                hass, entry_id, subscribing, pushed.subscription, wanted=pushed.enabled
            )
            await pushed.async_save_now()
        elif manager.busy_with(subscribing):
            take_answer(
                hass, entry_id, subscribing, manager.state, wanted=manager.wanted
            )
        else:
            manager.answered_later(subscribing)


async def _async_wait(
    hass: HomeAssistant, entry_id: str, task: asyncio.Task[str]
) -> None:
    """Wait for a subscribe request's answer and write it out (Home Assistant stops).

    The answer is handed on as the request finishes: once the store is free, it is.
    """
    await asyncio.wait([task])
    record = kept(hass, entry_id)
    async with record.lock:
        if (pushed := record.pushed) is not None:
            await pushed.async_save_now()


async def async_take_subscribing(hass: HomeAssistant, entry_id: str) -> str | None:
    """Wait for a removed account's subscribe request; return the subscription it made."""
    record = kept(hass, entry_id)
    if (subscribing := record.subscribing) is None:
        return None
    record.subscribing = None
    subscribing.remove_shutdown_job()
    await asyncio.wait([subscribing.task])
    return subscribing.answer()


async def async_remove_subscriptions(
    hass: HomeAssistant, entry: ClickToDialConfigEntry, stored: dict[str, Any]
) -> None:
    """Delete a removed account's subscriptions and cloudhook (one attempt each)."""
    state = SubscriptionState.from_dict(stored)
    ids = list(state.stale)
    if state.subscription is not None:
        ids.append(state.subscription.id)
    if (answered := await async_take_subscribing(hass, entry.entry_id)) is not None:
        ids.append(answered)
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
    webhook_id = stored.get("webhook_id")
    if (
        state.subscription is not None
        and state.subscription.cloudhook
        and isinstance(webhook_id, str)
        and "cloud" in hass.config.components
    ):
        from homeassistant.components import cloud  # noqa: PLC0415

        with contextlib.suppress(cloud.CloudNotAvailable, ValueError):
            await cloud.async_delete_cloudhook(hass, webhook_id)
    delete_issues(hass, entry.entry_id)
