"""Which phone rings: the account's destinations, read every 5 minutes, and the choice of one.

A coordinator of its own beside call tracking: a failure here never touches the call
entities. The account has one rate limit, kept by the client: a 429 to any request pauses
every read, while a person's choice is still sent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final, override

from custom_components.clicktodial.const import (
    DESTINATIONS_BACKOFF_INITIAL,
    DESTINATIONS_INTERVAL,
    DESTINATIONS_SLACK,
    DESTINATIONS_UNAVAILABLE_AFTER,
    LOGGER,
)
from custom_components.clicktodial.errors import (
    destination_error,
    destinations_not_read,
    destinations_unavailable,
    voipgrid_errors,
)
from custom_components.clicktodial.runtime import ClickToDialConfigEntry
from custom_components.clicktodial.voipgrid import (
    Destination,
    DestinationKind,
    Destinations,
    SelectedDestination,
    VoipgridClient,
)
from homeassistant.core import HomeAssistant

from .polled import PolledReadCoordinator, PolledReadSettings

# The option of the select that makes no phone ring.
NOT_AVAILABLE: Final = "not_available"

DESTINATIONS_READ: Final = PolledReadSettings(
    name="destinations",
    what="the destinations",
    unsupported="The account cannot choose which phone rings (%s)",
    interval=DESTINATIONS_INTERVAL,
    backoff_initial=DESTINATIONS_BACKOFF_INITIAL,
    unavailable_after=DESTINATIONS_UNAVAILABLE_AFTER,
    slack=DESTINATIONS_SLACK,
    not_read=destinations_not_read,
    unavailable=destinations_unavailable,
)


def destination_label(destination: Destination) -> str:
    """Return how a destination is shown: ``<description> (<number>)``, or what it has."""
    if destination.description and destination.number:
        return f"{destination.description} ({destination.number})"
    return destination.description or destination.number or f"[{destination.id}]"


def destination_options(destinations: Destinations) -> dict[str, Destination | None]:
    """Return the options of the select: phone accounts, fixed destinations, not available.

    Labels are unique: a label already taken gets `` [<id>]`` added.
    """
    options: dict[str, Destination | None] = {}
    for destination in destinations.all:
        label = destination_label(destination)
        while label in options or label == NOT_AVAILABLE:
            label = f"{label} [{destination.id}]"
        options[label] = destination
    options[NOT_AVAILABLE] = None
    return options


def selected_option(
    destinations: Destinations, options: dict[str, Destination | None]
) -> str | None:
    """Return the option that rings now, or None when the platform names an unknown one."""
    selected = destinations.selected
    if selected.phoneaccount is None and selected.fixeddestination is None:
        return NOT_AVAILABLE
    for label, destination in options.items():
        if destination is not None and _choice(destination, selected.id) == selected:
            return label
    return None


def _choice(destination: Destination | None, selected_id: str) -> SelectedDestination:
    """Return the selection that makes ``destination`` ring (None: not available)."""
    if destination is None:
        return SelectedDestination(id=selected_id)
    if destination.kind is DestinationKind.PHONE_ACCOUNT:
        return SelectedDestination(id=selected_id, phoneaccount=destination.id)
    return SelectedDestination(id=selected_id, fixeddestination=destination.id)


class DestinationsCoordinator(PolledReadCoordinator[Destinations]):
    """Which phone rings on one account; the data is None until a first good read."""

    settings = DESTINATIONS_READ

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: ClickToDialConfigEntry,
        client: VoipgridClient,
    ) -> None:
        """Create the coordinator of one account."""
        super().__init__(hass, config_entry, client)
        self._unknown_selections: set[SelectedDestination] = set()

    @property
    def options(self) -> dict[str, Destination | None]:
        """Return the options of the select by label (empty before the first read)."""
        return destination_options(self.data) if self.data else {}

    @property
    def current_option(self) -> str | None:
        """Return the option that rings now; None when not known."""
        return selected_option(self.data, self.options) if self.data else None

    @override
    async def _async_read(self) -> Destinations:
        """Read the destinations."""
        return await self.client.get_destinations()

    @override
    async def _async_read_done(
        self, data: Destinations, started: float
    ) -> Destinations:
        """Warn of a selection not among the options."""
        if (
            selected_option(data, destination_options(data)) is None
            and data.selected not in self._unknown_selections
        ):
            self._unknown_selections.add(data.selected)
            LOGGER.warning(
                "The platform selected a destination that is not among the account's "
                "phones (phone account %s, fixed destination %s)",
                data.selected.phoneaccount,
                data.selected.fixeddestination,
            )
        return data

    @voipgrid_errors(destination_error)
    async def async_choose(self, option: str) -> None:
        """Make the option's destination ring (``not_available``: none); show it at once."""
        destinations = self.data
        assert destinations is not None  # the select is unavailable without data
        selected = _choice(self.options[option], destinations.selected.id)
        # A person's choice is sent even while reads wait for a 429's pause.
        await self.client.set_destination(
            selected.id,
            phoneaccount=selected.phoneaccount,
            fixeddestination=selected.fixeddestination,
            despite_pause=True,
        )
        self.async_set_updated_data(replace(destinations, selected=selected))
        # Read back what the platform made of it (skipped while rate limited).
        await self.async_request_refresh()
