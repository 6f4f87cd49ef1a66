"""The Click to dial integration: start VoIPGRID calls and follow how each one goes."""

from __future__ import annotations

from homeassistant.const import CONF_EMAIL, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .calls.coordinator import ClickToDialCoordinator
from .const import CONF_API_TOKEN, DOMAIN, STORAGE_VERSION
from .intent import async_register_intents
from .pushed import async_get_pushed_calls, async_remove_pushed_calls
from .reads.caller_ids import CallerIdsCoordinator
from .reads.destinations import DestinationsCoordinator
from .reads.history import HistoryCoordinator
from .reads.phones import PhonesCoordinator
from .reads.queues import QueuesCoordinator
from .runtime import ClickToDialConfigEntry, ClickToDialData
from .services import async_offer_caller_ids, async_setup_services
from .texts import async_load_texts
from .voice.sentences import async_setup_sentences
from .voipgrid import VoipgridClient
from .wiring import async_wire

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.TEXT,
    Platform.TODO,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions, intents and sentences; load its texts."""
    async_setup_services(hass)
    async_register_intents(hass)
    async_setup_sentences(hass)
    await async_load_texts(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ClickToDialConfigEntry) -> bool:
    """Set up one VoIPGRID account."""
    client = VoipgridClient(
        async_get_clientsession(hass),
        base_url=entry.data[CONF_URL],
        email=entry.data[CONF_EMAIL],
        api_token=entry.data[CONF_API_TOKEN],
        # The loop's clock: the rate limit's pauses are those of Home Assistant's timers.
        clock=hass.loop.time,
    )
    # Calls pushed while the credentials are checked, or while the set-up is retried,
    # are received and kept.
    pushed = await async_get_pushed_calls(hass, entry)
    coordinator = ClickToDialCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    destinations = await DestinationsCoordinator.async_read_first(hass, entry, client)
    entry.runtime_data = ClickToDialData(
        client=client,
        coordinator=coordinator,
        pushed=pushed,
        destinations=destinations,
        # Which phones are the user's, only which phone rings says.
        phones=None
        if destinations is None
        else await PhonesCoordinator.async_read_first(hass, entry, client),
        history=await HistoryCoordinator.async_read_first(hass, entry, client),
        queues=await QueuesCoordinator.async_read_first(hass, entry, client),
        caller_ids=await CallerIdsCoordinator.async_read_first_of(
            hass, entry, client, coordinator.profile
        ),
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_wire(hass, entry)
    async_offer_caller_ids(hass, entry)
    pushed.async_start()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> bool:
    """Unload an account; its tracked calls are saved and picked up again on setup."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: ClickToDialConfigEntry
) -> None:
    """Forget the calls saved for a removed account; stop its call notifications."""
    await Store[dict[str, object]](
        hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
    ).async_remove()
    await async_remove_pushed_calls(hass, entry)
