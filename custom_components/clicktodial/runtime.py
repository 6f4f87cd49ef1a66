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
    from .ratelimit import RateLimit
    from .reads.destinations import DestinationsCoordinator
    from .reads.history import HistoryCoordinator
    from .voipgrid import VoipgridClient

type ClickToDialConfigEntry = ConfigEntry[ClickToDialData]


@dataclass(kw_only=True, slots=True)
class ClickToDialData:
    """Runtime data of a config entry."""

    client: VoipgridClient
    # The account's one rate limit, shared by every read of the account.
    rate_limit: RateLimit
    coordinator: ClickToDialCoordinator
    # The calls the platform pushes (webhook, subscription, the phone's state).
    pushed: PushedCallsCoordinator
    # Which phone rings; None when the account cannot choose it.
    destinations: DestinationsCoordinator | None = None
    # The user's call history; None when the account has no call list.
    history: HistoryCoordinator | None = None
