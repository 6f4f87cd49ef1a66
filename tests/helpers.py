"""Helpers shared by the Click to dial tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)

from custom_components.clicktodial.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant


async def advance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    step: float = 0.1,
) -> None:
    """Move time forward in small steps, letting every due timer and poll run."""
    remaining = seconds
    while remaining > 1e-9:
        tick = min(step, remaining)
        freezer.tick(timedelta(seconds=tick))
        async_fire_time_changed_exact(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        remaining -= tick


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    """Return the reauthentication flows in progress for an entry."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["handler"] == DOMAIN
        and flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == entry.entry_id
    ]
