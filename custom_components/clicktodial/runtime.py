"""What a loaded account holds while it runs: its client, coordinators and pushed calls.

All of it goes with the account's unload. What must outlive a set-up (the pushed calls'
coordinator through a failed set-up, a subscribe request on its way) is kept in the one
registry of ``pushed/kept.py``; the runtime data only points at the coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .calls.coordinator import ClickToDialCoordinator
    from .pushed import PushedCallsCoordinator
    from .reads.caller_ids import CallerIdsCoordinator
    from .reads.destinations import DestinationsCoordinator
    from .reads.history import HistoryCoordinator
    from .reads.phones import PhonesCoordinator
    from .reads.queues import QueuesCoordinator
    from .voipgrid import Destinations, VoipgridClient

type ClickToDialConfigEntry = ConfigEntry[ClickToDialData]


@dataclass(kw_only=True, slots=True)
class ClickToDialData:
    """Runtime data of a config entry."""

    # The account's client; it keeps the account's one rate limit.
    client: VoipgridClient
    coordinator: ClickToDialCoordinator
    # The calls the platform pushes (webhook, subscription, the phone's state).
    pushed: PushedCallsCoordinator
    # Which phone rings; None when the account cannot choose it.
    destinations: DestinationsCoordinator | None = None
    # Which phones are online; None without which phone rings (whose phones are the
    # user's) or when the account may not read the phone account list.
    phones: PhonesCoordinator | None = None
    # The user's call history; None when the account has no call list.
    history: HistoryCoordinator | None = None
    # The company's call queues; None when the account may not read them.
    queues: QueuesCoordinator | None = None
    # The numbers the account may show as caller ID; None when they cannot be read.
    caller_ids: CallerIdsCoordinator | None = None

    @property
    def user_phones(self) -> Destinations | None:
        """Return the user's phone accounts and fixed destinations; None while not known."""
        return None if self.destinations is None else self.destinations.data
