"""The calls the platform pushes for one account, on a coordinator without polling.

The coordinator holds the pushed calls' state, the missed calls and the timer that forgets
calls gone silent; the platform's webhook feeds it and its entities follow it. It is made
before the account's first status read and kept through a failed set-up (setup retry,
re-authentication, and the reloads in between), so that no call pushed meanwhile is lost;
it is let go when the account unloads, is disabled or removed, or its option changes. It is
kept in the account's one registry of what outlives a set-up (``kept.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final, override

from custom_components.clicktodial.calls.path import contact_name_of
from custom_components.clicktodial.colleagues.state import ColleaguePhones
from custom_components.clicktodial.const import (
    CONF_WHOLE_COMPANY,
    DOMAIN,
    LOGGER,
    NOTIFICATIONS_SAVE_DELAY,
)
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.storage import async_load_or_replace
from custom_components.clicktodial.texts import cached_state_name
from custom_components.clicktodial.voipgrid import Notification, calling_code
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from . import webhook
from .kept import Kept, forget, kept
from .mine import MyPhones
from .state import (
    CallEvent,
    CallEventType,
    MissedCall,
    MissedCalls,
    NotifiedCall,
    NotifiedCalls,
    PhoneState,
)
from .store import WHAT, SubscriptionState, async_load_pushed_calls, pushed_calls_store
from .subscription import (
    SubscriptionManager,
    async_remove_subscriptions,
    delete_issues,
    notifications_enabled,
)

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


@dataclass(frozen=True, kw_only=True, slots=True)
class PushedCallsData:
    """What the phone's entities show: its state, the events of the last change, the list."""

    state: PhoneState = PhoneState.IDLE
    # The call the state is about (None while idle).
    call: NotifiedCall | None = None
    # The events of the notification that made this data (none for other changes).
    events: tuple[CallEvent, ...] = ()
    missed: tuple[MissedCall, ...] = ()
    # Grows with each change of the missed calls list.
    missed_version: int = 0


async def async_get_pushed_calls(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> PushedCallsCoordinator:
    """Return the account's phone coordinator, ready for notifications.

    One kept from a failed set-up attempt is used again, with what it received since.
    """
    record = kept(hass, entry.entry_id)
    async with record.lock:
        phone = record.pushed
        if phone is not None and phone.enabled == notifications_enabled(entry):
            phone.async_reuse()
            return phone
        await _async_release_kept(record)
        phone = PushedCallsCoordinator(hass, entry)
        await phone.async_load()
        record.pushed = phone
        return phone


def _remove_entities_and_issues(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> None:
    """Remove what the option made, once it is off: its entities and repair issues."""
    registry = er.async_get(hass)
    for platform, key in PHONE_ENTITIES:
        unique_id = f"{entry.unique_id}_{key}"
        if entity_id := registry.async_get_entity_id(platform, DOMAIN, unique_id):
            registry.async_remove(entity_id)
    delete_issues(hass, entry.entry_id)


@callback
def _unknown_caller(hass: HomeAssistant) -> str:
    """Return how a missed call of a hidden number is named: in the language of now."""
    return cached_state_name(hass, Platform.TODO, "missed_calls", "unknown_caller")


class PushedCallsCoordinator(DataUpdateCoordinator[PushedCallsData]):
    """The pushed calls of one account (nothing is polled): state, events, missed calls."""

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
        self.calls = NotifiedCalls(
            name_of=partial(contact_name_of, hass, entry),
            is_mine=_MineFilter(hass, entry),
            follow_all=lambda: bool(entry.options.get(CONF_WHOLE_COMPANY)),
        )
        self.missed = MissedCalls()
        # What each phone of the company does (colleagues' phones), from every call.
        self.colleagues = ColleaguePhones()
        self.webhook_id = ""
        self.subscription = SubscriptionState(stale=[])
        self.manager: SubscriptionManager | None = None
        self._store = pushed_calls_store(hass, entry.entry_id)
        self._loaded = False
        self._forget = _ForgetSilentCalls(hass, self.calls, self._changed)
        self._unsub_state = entry.async_on_state_change(self._entry_state_changed)
        self.data = PushedCallsData()

    async def async_load(self) -> None:
        """Read what is stored and register the webhook; with the option off, clean up."""
        stored = await async_load_pushed_calls(self._store)
        self.webhook_id = stored.webhook_id
        self.subscription = stored.subscription
        self.missed.restore(stored.missed_calls)
        self._loaded = True
        if not self.enabled:
            _remove_entities_and_issues(self.hass, self.config_entry)
            if self.missed.items or self.subscription.subscription is not None:
                self.missed.items.clear()
                await self.async_save_now()
            return
        self.calls.restore(stored.calls, self.hass.loop.time())
        if stored.new_webhook:
            await self.async_save_now()
        webhook.async_register(
            self.hass, self.webhook_id, self.config_entry.title, self.async_apply
        )
        self.data = self._snapshot(())
        self._forget.schedule()

    @callback
    def async_reuse(self) -> None:
        """Serve a new set-up attempt: stop when it unloads again."""
        self.config_entry.async_on_unload(self.async_shutdown)

    @callback
    def async_start(self) -> None:
        """Bring the platform's subscription in line (the account is set up)."""
        self.manager = SubscriptionManager(
            self.hass,
            self.config_entry,
            state=self.subscription,
            webhook_id=self.webhook_id,
            wanted=self.enabled,
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
        await _async_let_go(self)

    @callback
    def _entry_state_changed(self) -> None:
        """Let go when the account is disabled while its set-up was failing."""
        entry = self.config_entry
        if entry.state is ConfigEntryState.NOT_LOADED and entry.disabled_by is not None:
            self.hass.async_create_task(
                _async_let_go(self), f"{DOMAIN} release phone", eager_start=True
            )

    async def async_release(self) -> None:
        """Unregister the webhook, stop the timers and write everything out (let go)."""
        self._unsub_state()
        if self.enabled:
            webhook.async_unregister(self.hass, self.webhook_id)
        self._forget.stop()
        await self.async_save_now()

    @override
    async def _async_update_data(self) -> PushedCallsData:
        """Return the data as it is (nothing is read): an entity update changes nothing."""
        return self._snapshot(())

    @callback
    def async_apply(self, notification: Notification) -> None:
        """Apply a notification and tell the entities what it changed."""
        self.colleagues.apply(notification, self.hass.loop.time())
        events = self.calls.apply(notification, self.hass.loop.time())
        for event in events:
            if event.type is CallEventType.MISSED:
                unknown = _unknown_caller(self.hass)
                self.missed.add_missed(event, unknown=unknown, when=dt_util.utcnow())
        self._changed(events)
        self._forget.schedule()

    @callback
    def _changed(self, events: Sequence[CallEvent] = ()) -> None:
        """Write everything out soon and show the change."""
        self.async_save()
        self.async_set_updated_data(self._snapshot(events))

    def _snapshot(self, events: Sequence[CallEvent]) -> PushedCallsData:
        """Return the data of the state as it is now."""
        state, call = self.calls.phone
        return PushedCallsData(
            state=state,
            call=call,
            events=tuple(events),
            missed=tuple(self.missed.items),
            missed_version=self.missed.version,
        )

    @callback
    def async_update_missed_call(
        self,
        item: MissedCall,
        *,
        summary: str | None,
        done: bool | None,
        due: datetime | None = None,
    ) -> bool:
        """Rename a missed call, move it, check it off or on; return if first checked off."""
        first = self.missed.update(item, summary=summary, done=done, due=due)
        self._changed()
        return first

    @callback
    def async_delete_missed_calls(self, uids: list[str]) -> None:
        """Delete missed calls from the list."""
        self.missed.remove(uids)
        self._changed()

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


class _ForgetSilentCalls:
    """Forget the calls silent for too long (their end never came), on a timer."""

    def __init__(
        self, hass: HomeAssistant, calls: NotifiedCalls, changed: Callable[[], None]
    ) -> None:
        """Prepare; nothing is planned yet."""
        self._hass = hass
        self._calls = calls
        self._changed = changed
        self._stopped = False
        self._unsub: CALLBACK_TYPE | None = None
        self._job = HassJob(
            self._forget, "clicktodial forget silent calls", cancel_on_shutdown=True
        )

    @callback
    def schedule(self) -> None:
        """Plan to forget the next call silent too long (a plan stays: fires early at worst)."""
        if self._stopped or self._unsub is not None:
            return
        if (when := self._calls.next_forget()) is not None:
            self._unsub = async_call_later(
                self._hass, max(when - self._hass.loop.time(), 0), self._job
            )

    @callback
    def stop(self) -> None:
        """Plan nothing any more."""
        self._stopped = True
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def _forget(self, _now: datetime) -> None:
        """Forget the calls silent for too long; plan the next time."""
        self._unsub = None
        if self._calls.forget_silent(self._hass.loop.time()):
            LOGGER.debug("A call that went silent without an end was forgotten")
            self._changed()
        self.schedule()


async def _async_let_go(phone: PushedCallsCoordinator) -> None:
    """Let go of a coordinator, if it is still the one kept of its account."""
    record = kept(phone.hass, phone.config_entry.entry_id)
    async with record.lock:
        if record.pushed is phone:
            await _async_release_kept(record)


async def _async_release_kept(record: Kept) -> None:
    """Let go of the coordinator kept, if any (the caller holds the record's lock)."""
    if (phone := record.pushed) is not None:
        record.pushed = None
        await phone.async_release()


class _MineFilter:
    """Says whether a pushed call is the user's, also while the whole company is followed."""

    def __init__(self, hass: HomeAssistant, entry: ClickToDialConfigEntry) -> None:
        """Filter the calls of an account."""
        self._hass = hass
        self._entry = entry
        # What made calls followed for want of knowing whose they are (logged once).
        self._unknown: set[str] = set()

    def __call__(self, notification: Notification) -> bool | None:
        """Return whether a call is the user's; None: cannot tell (it may be)."""
        entry = self._entry
        if entry.state is not ConfigEntryState.LOADED:
            return None
        if (phones := entry.runtime_data.user_phones) is None:
            _say_once(self._unknown, "phones")
            return None
        mine = MyPhones(phones, calling_code(self._hass.config.country))
        if (verdict := mine.claims(notification)) is None:
            _say_once(self._unknown, "targets")
        return verdict


def _say_once(said: set[str], what: str) -> None:
    """Say once why every call is taken as the user's (followed, and read in the history)."""
    if what not in said:
        said.add(what)
        LOGGER.info(
            "Taking every call as the user's own: %s",
            "the user's phones are not known (which phone rings cannot be read)"
            if what == "phones"
            else "the platform's notifications do not name the phones a call rings",
        )


async def async_remove_pushed_calls(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> None:
    """Delete a removed account's subscriptions, cloudhook and storage (one attempt)."""
    record = kept(hass, entry.entry_id)
    async with record.lock:
        await _async_release_kept(record)
        store = pushed_calls_store(hass, entry.entry_id)
        stored = await async_load_or_replace(store, WHAT)
        await async_remove_subscriptions(hass, entry, stored)
        await store.async_remove()
    forget(hass, entry.entry_id)
