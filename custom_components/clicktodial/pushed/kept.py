"""What of an account outlives its set-up: the one registry, in ``hass.data``, per account.

Everything else a loaded account holds is its runtime data (``entry.runtime_data``), made
by each set-up and let go by its unload. Two things must outlive a set-up, so that no
pushed call and no subscription of the platform is lost:

- ``pushed``, the pushed calls' coordinator: made before the account's first status read
  and kept through a failed set-up (set-up retry, re-authentication and the reloads in
  between), as the platform pushes calls meanwhile; let go when the account unloads, is
  disabled or removed, or its option changes. Its ``manager`` is the current set-up's
  subscription manager, if any.
- ``subscribing``, a subscribe request whose answer is on its way: no unload cancels it,
  as the platform may make the subscription all the same. The kept coordinator takes its
  answer; with none, the account's store does, for the next set-up to use or delete.

``lock`` lets one at a time read or write the account's store: a coordinator from being
made (its store read) to being let go (written out), or an answer written to the store
while no coordinator is kept, or the removal of the account.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from custom_components.clicktodial.const import DOMAIN
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.util.hass_dict import HassKey

if TYPE_CHECKING:
    from .coordinator import PushedCallsCoordinator


@dataclass(kw_only=True, slots=True)
class Subscribing:
    """A subscribe request on its way, and what it asked for."""

    task: asyncio.Task[str]
    target_url: str
    cloudhook: bool
    remove_shutdown_job: CALLBACK_TYPE

    def answer(self) -> str | None:
        """Return the subscription the finished request made (None: none known)."""
        task = self.task
        return None if task.cancelled() or task.exception() else task.result()

    def error(self) -> BaseException | None:
        """Return what the finished request raised (cancelled: nothing known)."""
        return None if self.task.cancelled() else self.task.exception()


@dataclass(kw_only=True, slots=True)
class Kept:
    """What of one account outlives its set-up (see the module)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pushed: PushedCallsCoordinator | None = None
    subscribing: Subscribing | None = None


_KEPT: HassKey[dict[str, Kept]] = HassKey(f"{DOMAIN}_kept")


def kept(hass: HomeAssistant, entry_id: str) -> Kept:
    """Return what is kept of an account (config entry id)."""
    return hass.data.setdefault(_KEPT, {}).setdefault(entry_id, Kept())


def forget(hass: HomeAssistant, entry_id: str) -> None:
    """Forget what was kept of a removed account."""
    hass.data.get(_KEPT, {}).pop(entry_id, None)
