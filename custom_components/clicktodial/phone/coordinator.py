"""The calls the platform pushes for one account, on a coordinator without polling.

The coordinator holds the pushed calls' state, the missed calls and the timer that forgets
calls gone silent; the platform's webhook feeds it and its entities follow it. It is made
before the account's first status read and kept through a failed set-up (setup retry,
re-authentication, and the reloads in between), so that no call pushed meanwhile is lost;
it is let go when the account unloads, is disabled or removed, or its option changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, override
import uuid

from custom_components.clicktodial.const import (
    CONF_CALL_NOTIFICATIONS,
    CONF_NUMBER,
    DOMAIN,
    LOGGER,
    NOTIFICATIONS_SAVE_DELAY,
    NOTIFICATIONS_STORAGE_VERSION,
)
from custom_components.clicktodial.ratelimit import RateLimit
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.storage import async_load_or_replace
from custom_components.clicktodial.voipgrid import (
    Notification,
    calling_code,
    clean_text,
    same_number,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, translation
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from . import webhook
from .state import (
    CallEvent,
    CallEventType,
    MissedCall,
    MissedCalls,
    NotifiedCall,
    NotifiedCalls,
    PhoneState,
    missed_call_summary,
)
from .subscription import (
    SubscriptionManager,
    SubscriptionState,
    async_remove_subscriptions,
    delete_issues,
)

# Unknown status strings are logged once each, at most this many different ones.
MAX_UNKNOWN_STATUSES: Final = 50
# The states of an account whose set-up attempt failed, as its unload callbacks run.
_FAILED_SETUP: Final = (
    ConfigEntryState.SETUP_RETRY,
    ConfigEntryState.SETUP_IN_PROGRESS,
)
# The entities of call notifications: (platform, unique id suffix).
PHONE_ENTITIES: Final = (
    (Platform.SENSOR, "phone"),
    (Platform.EVENT, "phone_calls"),
    (Platform.TODO, "missed_calls"),
)

# The phone coordinator of each account, kept from one set-up attempt to the next.
_PHONES: HassKey[dict[str, PhoneCoordinator]] = HassKey(f"{DOMAIN}_phones")


def notifications_enabled(entry: ClickToDialConfigEntry) -> bool:
    """Return whether the account follows all its calls."""
    return bool(entry.options.get(CONF_CALL_NOTIFICATIONS))


def phone_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the storage of an account's webhook, subscription, calls and missed calls."""
    return Store(
        hass,
        NOTIFICATIONS_STORAGE_VERSION,
        f"{DOMAIN}.notifications.{entry_id}",
        private=True,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class PhoneData:
    """What the phone's entities show: its state, the events of the last change, the list."""

    state: PhoneState = PhoneState.IDLE
    # The call the state is about (None while idle).
    call: NotifiedCall | None = None
    # The events of the notification that made this data (none for other changes).
    events: tuple[CallEvent, ...] = ()
    missed: tuple[MissedCall, ...] = ()
    # Grows with each change of the missed calls list.
    missed_version: int = 0


async def async_get_phone(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> PhoneCoordinator:
    """Return the account's phone coordinator, ready for notifications.

    One kept from a failed set-up attempt is used again, with what it received since.
    """
    phones = hass.data.setdefault(_PHONES, {})
    phone = phones.get(entry.entry_id)
    if phone is not None and phone.enabled == notifications_enabled(entry):
        phone.async_reuse()
        return phone
    if phone is not None:
        await phone.async_release()
    phone = PhoneCoordinator(hass, entry)
    await phone.async_load()
    phones[entry.entry_id] = phone
    return phone


async def async_release_phone(hass: HomeAssistant, entry_id: str) -> None:
    """Let go of the account's phone coordinator, if one is kept."""
    if (phone := hass.data.get(_PHONES, {}).get(entry_id)) is not None:
        await phone.async_release()


class PhoneCoordinator(DataUpdateCoordinator[PhoneData]):
    """The pushed calls of one account: the phone's state, the events, the missed calls.

    Nothing is polled: each notification the webhook receives updates the data.
    """

    config_entry: ClickToDialConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ClickToDialConfigEntry) -> None:
        """Prepare; nothing is read or registered yet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} phone",
            update_interval=None,
            always_update=False,
        )
        self.enabled = notifications_enabled(entry)
        self.calls = NotifiedCalls(name_of=self._contact_name)
        self.missed = MissedCalls()
        self.webhook_id = ""
        self.subscription = SubscriptionState(stale=[])
        self.manager: SubscriptionManager | None = None
        self._store = phone_store(hass, entry.entry_id)
        self._loaded = False
        self._released = False
        self._missed_version = 0
        self._unknown_statuses: set[str] = set()
        self._unknown_caller = ""
        self._unsub_forget: CALLBACK_TYPE | None = None
        self._unsub_state = entry.async_on_state_change(self._entry_state_changed)
        self.data = PhoneData()

    # -- set-up and release ----------------------------------------------------------------

    async def async_load(self) -> None:
        """Read what is stored and register the webhook; with the option off, clean up."""
        stored = await async_load_or_replace(self._store, "call notifications")
        self.subscription = SubscriptionState.from_dict(stored)
        webhook_id = stored.get("webhook_id")
        if webhook.valid_webhook_id(webhook_id):
            assert isinstance(webhook_id, str)
            self.webhook_id = webhook_id
        else:
            if webhook_id is not None:
                LOGGER.warning("The stored webhook of call notifications was replaced")
            self.webhook_id = webhook.new_webhook_id()
        missed = stored.get("missed_calls")
        self.missed.restore(missed if isinstance(missed, list) else [])
        self._loaded = True
        if not self.enabled:
            await self._async_disable()
            return
        calls = stored.get("calls")
        self.calls.restore(calls if isinstance(calls, list) else [], self._now())
        translations = await translation.async_get_translations(
            self.hass, self.hass.config.language, "entity", {DOMAIN}
        )
        self._unknown_caller = translations.get(
            f"component.{DOMAIN}.entity.todo.missed_calls.state.unknown_caller", ""
        )
        if stored.get("webhook_id") != self.webhook_id:
            await self.async_save_now()
        webhook.async_register(
            self.hass, self.webhook_id, self.config_entry.title, self.async_apply
        )
        self.data = self._snapshot(())
        self._schedule_forget()

    async def _async_disable(self) -> None:
        """Undo what the option made: its entities, issues, subscription and list."""
        registry = er.async_get(self.hass)
        for platform, key in PHONE_ENTITIES:
            unique_id = f"{self.config_entry.unique_id}_{key}"
            if entity_id := registry.async_get_entity_id(platform, DOMAIN, unique_id):
                registry.async_remove(entity_id)
        delete_issues(self.hass, self.config_entry.entry_id)
        if self.missed.items or self.subscription.subscription is not None:
            self.missed.items.clear()
            await self.async_save_now()

    @callback
    def async_reuse(self) -> None:
        """Serve a new set-up attempt: stop when it unloads again."""
        self.config_entry.async_on_unload(self.async_shutdown)

    @callback
    def async_start(self, rate_limit: RateLimit) -> None:
        """Bring the platform's subscription in line (the account is set up)."""
        self.manager = SubscriptionManager(
            self.hass,
            self.config_entry,
            state=self.subscription,
            webhook_id=self.webhook_id,
            wanted=self.enabled,
            rate_limit=rate_limit,
            save=self.async_save_now,
        )
        self.manager.async_start()

    @override
    async def async_shutdown(self) -> None:
        """Stop with the account's unload; a failed set-up keeps receiving calls."""
        if self.manager is not None:
            self.manager.async_stop()
            self.manager = None
        if self.config_entry.state in _FAILED_SETUP:
            return
        await super().async_shutdown()
        await self.async_release()

    @callback
    def _entry_state_changed(self) -> None:
        """Let go when the account is disabled while its set-up was failing."""
        entry = self.config_entry
        if entry.state is ConfigEntryState.NOT_LOADED and entry.disabled_by is not None:
            self.hass.async_create_task(
                self.async_release(), f"{DOMAIN} release phone", eager_start=True
            )

    async def async_release(self) -> None:
        """Unregister the webhook, stop the timers and write everything out (once)."""
        self._released = True
        phones = self.hass.data.get(_PHONES, {})
        if phones.get(self.config_entry.entry_id) is self:
            del phones[self.config_entry.entry_id]
        self._unsub_state()
        if self.enabled:
            webhook.async_unregister(self.hass, self.webhook_id)
        if self._unsub_forget is not None:
            self._unsub_forget()
            self._unsub_forget = None
        await self.async_save_now()

    # -- receiving -------------------------------------------------------------------------

    @override
    async def _async_update_data(self) -> PhoneData:
        """Return the data as it is (nothing is read): an entity update changes nothing."""
        return self._snapshot(())

    @callback
    def async_apply(self, notification: Notification) -> None:
        """Apply a notification and tell the entities what it changed."""
        if notification.status is None:
            self._log_unknown_status(notification.raw_status)
        events = self.calls.apply(notification, self._now())
        for event in events:
            if event.type is CallEventType.MISSED:
                self._add_missed_call(event)
        self.async_save()
        self.async_set_updated_data(self._snapshot(events))
        self._schedule_forget()

    def _now(self) -> float:
        """Return the event loop's clock."""
        return self.hass.loop.time()

    def _snapshot(self, events: list[CallEvent] | tuple[CallEvent, ...]) -> PhoneData:
        """Return the data of the state as it is now."""
        state, call = self.calls.phone
        return PhoneData(
            state=state,
            call=call,
            events=tuple(events),
            missed=tuple(self.missed.items),
            missed_version=self._missed_version,
        )

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
        """Put a missed call on the list."""
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
        self._missed_version += 1

    # -- the missed calls list -------------------------------------------------------------

    def missed_call(self, uid: str) -> MissedCall | None:
        """Return the missed call with this uid, or None."""
        return self.missed.get(uid)

    @callback
    def async_update_missed_call(
        self, item: MissedCall, *, summary: str | None, done: bool | None
    ) -> None:
        """Rename a missed call or check it off (or on again)."""
        if summary:
            item.summary = clean_text(summary)
        if done is not None:
            item.done = done
        self._missed_changed()

    @callback
    def async_delete_missed_calls(self, uids: list[str]) -> None:
        """Delete missed calls from the list."""
        self.missed.remove(uids)
        self._missed_changed()

    def _missed_changed(self) -> None:
        """Write the list out soon and show it."""
        self._missed_version += 1
        self.async_save()
        self.async_set_updated_data(self._snapshot(()))

    # -- storage ---------------------------------------------------------------------------

    @callback
    def async_save(self) -> None:
        """Write everything out soon (a burst of changes is one write)."""
        self._store.async_delay_save(self._as_stored, NOTIFICATIONS_SAVE_DELAY)

    async def async_save_now(self) -> None:
        """Write everything out now."""
        if self._loaded:
            await self._store.async_save(self._as_stored())

    def _as_stored(self) -> dict[str, Any]:
        """Return what is stored."""
        return {
            "webhook_id": self.webhook_id,
            **self.subscription.as_dict(),
            "missed_calls": self.missed.as_stored(),
            "calls": self.calls.as_stored() if self.enabled else [],
        }

    # -- forgetting silent calls -----------------------------------------------------------

    @callback
    def _schedule_forget(self) -> None:
        """Plan to forget the next call that stays silent too long.

        A plan already made stays: calls only grow later to forget (each notification
        moves its call's time on), so the timer fires early at worst, and plans again.
        """
        if (
            self._released
            or self._unsub_forget is not None
            or (when := self.calls.next_forget()) is None
        ):
            return
        self._unsub_forget = async_call_later(
            self.hass,
            max(when - self._now(), 0),
            HassJob(
                self._forget, "clicktodial forget silent calls", cancel_on_shutdown=True
            ),
        )

    @callback
    def _forget(self, _now: datetime) -> None:
        """Forget the calls silent for too long."""
        self._unsub_forget = None
        if self.calls.forget_silent(self._now()):
            LOGGER.debug("A call that went silent without an end was forgotten")
            self.async_save()
            self.async_set_updated_data(self._snapshot(()))
        self._schedule_forget()

    # -- names and diagnostics -------------------------------------------------------------

    def _contact_name(self, number: str | None) -> str | None:
        """Return the name of the account's contact with this number, if any."""
        if not number:
            return None
        code = calling_code(self.hass.config.country)
        for subentry in self.config_entry.subentries.values():
            if same_number(number, subentry.data.get(CONF_NUMBER), code):
                return str(subentry.data[CONF_NAME])
        return None

    def diagnostics(self) -> dict[str, Any]:
        """Return what diagnostics show: no URL, no id, no number."""
        subscription = self.subscription.subscription
        return {
            "enabled": self.enabled,
            "subscribed": subscription is not None,
            "cloudhook": bool(subscription and subscription.cloudhook),
            "stale_subscriptions": len(self.subscription.stale),
            "subscribe_pending": self.subscription.pending is not None,
            "retrying": self.manager is not None and self.manager.retrying,
            "phone": self.data.state.value,
            "calls": len(self.calls.calls),
            "missed_calls": len(self.missed.items),
            "open_missed_calls": self.missed.open_count,
        }


async def async_remove_phone(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> None:
    """Delete a removed account's subscriptions, cloudhook and storage (one attempt)."""
    await async_release_phone(hass, entry.entry_id)
    store = phone_store(hass, entry.entry_id)
    stored = await async_load_or_replace(store, "call notifications")
    await async_remove_subscriptions(hass, entry, stored)
    await store.async_remove()
