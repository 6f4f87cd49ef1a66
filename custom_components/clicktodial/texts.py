"""The integration's own texts ("common" in the translations) in the right language.

Assist's answers are in the conversation's language. Logbook lines are described where
nothing can be awaited, in Home Assistant's language: that language's texts are loaded
at setup and again whenever the language changes, and read from the cache. Entity names
follow a change of Home Assistant's language at once, without a reload.
"""

from __future__ import annotations

from typing import Final

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_platform, entity_registry as er, translation

from .const import DOMAIN

# The languages the integration has texts in; English for any other.
LANGUAGES: Final = ("en", "nl")
# The categories read from the cache: the texts, and the entities' state names.
CATEGORIES: Final = ("common", "entity")


def text_language(language: str | None) -> str:
    """Return the language to use: the one asked (``nl-BE`` is ``nl``), else English."""
    base = (language or "").partition("-")[0].lower()
    return base if base in LANGUAGES else "en"


async def async_text(
    hass: HomeAssistant, language: str | None, key: str, **placeholders: str
) -> str:
    """Return one of the integration's texts in a language."""
    strings = await translation.async_get_translations(
        hass, text_language(language), "common", [DOMAIN]
    )
    return strings[f"component.{DOMAIN}.common.{key}"].format(**placeholders)


async def async_load_texts(hass: HomeAssistant) -> None:
    """Load the texts of Home Assistant's language now and whenever it changes.

    When it changes, the entities are renamed in the new language too.
    """
    language = hass.config.language

    async def load() -> None:
        for category in CATEGORIES:
            await translation.async_get_translations(
                hass, text_language(hass.config.language), category, [DOMAIN]
            )

    async def language_changed(_event: Event) -> None:
        nonlocal language
        if hass.config.language == language:
            return
        language = hass.config.language
        await load()
        await _async_rename_entities(hass)

    await load()
    hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, language_changed)


async def _async_rename_entities(hass: HomeAssistant) -> None:
    """Name the integration's entities in Home Assistant's language, as a set-up would.

    Home Assistant reads an entity's name from its platform's translations, loaded once
    when the platform is set up: they are loaded again, and each name read again.
    """
    registry = er.async_get(hass)
    for platform in entity_platform.async_get_platforms(hass, DOMAIN):
        await platform.platform_data.async_load_translations()
        for entity in list(platform.entities.values()):
            # The name is cached; Home Assistant's own setters drop it the same way.
            entity.__dict__.pop("name", None)
            if entity.registry_entry is not None and isinstance(entity.name, str):
                registry.async_update_entity(
                    entity.entity_id, original_name=entity.name
                )
            entity.async_write_ha_state()


@callback
def _cached(hass: HomeAssistant, category: str, key: str) -> str | None:
    """Return a loaded string in Home Assistant's language, else in English.

    English also while a new language's texts are still being loaded.
    """
    full_key = f"component.{DOMAIN}.{category}.{key}"
    return translation.async_get_cached_translations(
        hass, text_language(hass.config.language), category, DOMAIN
    ).get(full_key) or translation.async_get_cached_translations(
        hass, "en", category, DOMAIN
    ).get(full_key)


@callback
def cached_text(hass: HomeAssistant, key: str, **placeholders: str) -> str:
    """Return one of the texts in Home Assistant's language, as loaded."""
    found = _cached(hass, "common", key)
    assert found is not None, key
    return found.format(**placeholders)


@callback
def cached_state_name(hass: HomeAssistant, platform: str, key: str, state: str) -> str:
    """Return how an entity's state is shown in Home Assistant's language, as loaded."""
    return _cached(hass, "entity", f"{platform}.{key}.state.{state}") or state


@callback
def cached_entity_name(hass: HomeAssistant, platform: str, key: str) -> str:
    """Return an entity's name in Home Assistant's language, as loaded."""
    return _cached(hass, "entity", f"{platform}.{key}.name") or key
