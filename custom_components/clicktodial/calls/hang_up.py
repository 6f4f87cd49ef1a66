"""Stopping a call: ask the platform to cancel one of an account's calls.

The action and the "Stop call" button come through here. Whether the platform can stop a
click-to-dial call is not confirmed (no official client does it): a refusal is a clear
error and changes nothing; a call it stopped is read at once, so its end shows.
"""

from __future__ import annotations

from custom_components.clicktodial.const import DOMAIN, LOGGER
from custom_components.clicktodial.errors import hang_up_error, voipgrid_errors
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from homeassistant.exceptions import ServiceValidationError

from .coordinator import ClickToDialCoordinator


async def async_hang_up(entry: ClickToDialConfigEntry, call_id: str | None) -> str:
    """Stop a call of the account (without ``call_id``: its latest); return its id.

    The latest call must still be followed: one that ended cannot be stopped.
    """
    coordinator = entry.runtime_data.coordinator
    if call_id is None:
        latest = coordinator.data.latest
        if latest is None or not latest.tracking:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="no_call_to_stop"
            )
        call_id = latest.call_id
    await _async_cancel(coordinator, call_id)
    LOGGER.debug("The platform stops call %s", call_id)
    # Read the followed calls at once, as after a pushed event: one of them ended.
    coordinator.async_pushed(())
    return call_id


@voipgrid_errors(hang_up_error)
async def _async_cancel(coordinator: ClickToDialCoordinator, call_id: str) -> None:
    """Ask the platform to stop a call."""
    # A person asked for it: sent even while the reads wait for a 429's pause.
    await coordinator.client.hang_up_call(call_id, despite_pause=True)
