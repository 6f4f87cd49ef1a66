"""Reading an account's stores: data that cannot be read is logged once and replaced."""

from __future__ import annotations

from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .const import LOGGER


async def async_load_or_replace(
    store: Store[dict[str, Any]], what: str
) -> dict[str, Any]:
    """Return what ``store`` holds, or nothing when it cannot be read.

    A store written by a newer version of the integration, or of a shape this version
    does not know, is logged once and then overwritten by the next save: the account
    loads without it rather than not at all. ``what`` names the data in the log.
    """
    try:
        data = await store.async_load()
    except (HomeAssistantError, AttributeError, KeyError, TypeError, ValueError) as err:
        LOGGER.warning(
            "The stored %s cannot be read and will be replaced (%s)",
            what,
            type(err).__name__,
        )
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        LOGGER.warning("The stored %s has an unknown shape and will be replaced", what)
        return {}
    return data
