"""The numbers the account may show as caller ID: read at set-up and every hour.

A polled read of its own, whose failures touch nothing else. The options form, the contact
form, the action's caller ID field and the Caller ID select offer what it read; where it
cannot be read, caller ID stays a number to type. Its path takes the API token as a
Bearer: a 401 there refuses that header, not the token, so it asks for no new token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Self, override

from custom_components.clicktodial.const import (
    CALLER_IDS_BACKOFF_INITIAL,
    CALLER_IDS_INTERVAL,
    CALLER_IDS_UNAVAILABLE_AFTER,
    CONF_B_CLI,
    DESTINATIONS_SLACK,
)
from custom_components.clicktodial.errors import (
    caller_ids_not_read,
    caller_ids_unavailable,
)
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    DEFAULT_NUMBER,
    CallerIdNumber,
    Profile,
    VoipgridClient,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .polled import PolledReadCoordinator, PolledReadSettings

CALLER_IDS_READ: Final = PolledReadSettings(
    name="caller_ids",
    what="the caller-ID numbers",
    unsupported="The account cannot read its caller-ID numbers (%s)",
    interval=CALLER_IDS_INTERVAL,
    backoff_initial=CALLER_IDS_BACKOFF_INITIAL,
    unavailable_after=CALLER_IDS_UNAVAILABLE_AFTER,
    slack=DESTINATIONS_SLACK,
    not_read=caller_ids_not_read,
    unavailable=caller_ids_unavailable,
    reauth_on_401=False,
)

type CallerIds = tuple[CallerIdNumber, ...]


def caller_id_label(number: CallerIdNumber) -> str:
    """Return how a caller-ID number is shown: ``<description> (<number>)``, or the number."""
    if number.description:
        return f"{number.description} ({number.number})"
    return number.number


class CallerIdsCoordinator(PolledReadCoordinator[CallerIds]):
    """The numbers one account may show as caller ID; None until a first good read."""

    settings = CALLER_IDS_READ

    @classmethod
    async def async_read_first_of(
        cls,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
        profile: Profile | None,
    ) -> Self | None:
        """Read the numbers of the profile's company once; None when they cannot be read.

        The path names the company (the profile's ``client_uuid``): without it, there
        is nothing to read.
        """
        if profile is None or profile.client_uuid is None:
            return None
        return await cls(
            hass, config_entry, client, profile.client_uuid
        ).async_read_once()

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
        client_uuid: str,
    ) -> None:
        """Create the coordinator of one account of the company ``client_uuid``."""
        super().__init__(hass, config_entry, client)
        self._client_uuid = client_uuid

    @override
    async def _async_read(self) -> CallerIds:
        """Read the caller-ID numbers."""
        return await self.client.get_caller_ids(self._client_uuid)

    @override
    async def _async_read_done(self, data: CallerIds, started: float) -> CallerIds:
        """Keep what was read."""
        return data


def caller_id_selector(numbers: Iterable[CallerIdNumber]) -> SelectSelector:
    """Return a caller ID field offering ``default_number`` and the numbers; typing stays."""
    return SelectSelector(
        SelectSelectorConfig(
            options=[
                SelectOptionDict(value=DEFAULT_NUMBER, label=DEFAULT_NUMBER),
                *(
                    SelectOptionDict(value=number.number, label=caller_id_label(number))
                    for number in numbers
                ),
            ],
            custom_value=True,
            mode=SelectSelectorMode.DROPDOWN,
            translation_key=CONF_B_CLI,
        )
    )
