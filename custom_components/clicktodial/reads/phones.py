"""Which phones are online: the company's active phone accounts, read every 5 minutes.

A polled read of its own, beside which phone rings and the call history: its failures
touch nothing else. A phone account is online while a phone is registered to it. The
list holds the whole company's phone accounts (at most ``PHONE_ACCOUNTS_MAX_PAGES``
pages); which of them are the user's, which phone rings says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, override

from custom_components.clicktodial.const import (
    DESTINATIONS_SLACK,
    PHONE_ACCOUNTS_MAX_PAGES,
    PHONES_BACKOFF_INITIAL,
    PHONES_INTERVAL,
    PHONES_UNAVAILABLE_AFTER,
)
from custom_components.clicktodial.errors import phones_not_read, phones_unavailable
from custom_components.clicktodial.voipgrid import PhoneAccount

from .polled import PolledReadCoordinator, PolledReadSettings

PHONES_READ: Final = PolledReadSettings(
    name="phones",
    what="which phones are online",
    unsupported="The account cannot read which phones are online (%s)",
    interval=PHONES_INTERVAL,
    backoff_initial=PHONES_BACKOFF_INITIAL,
    unavailable_after=PHONES_UNAVAILABLE_AFTER,
    slack=DESTINATIONS_SLACK,
    not_read=phones_not_read,
    unavailable=phones_unavailable,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PhoneAccounts:
    """The company's active phone accounts by id, as far as the list was read."""

    accounts: Mapping[str, PhoneAccount]
    # Whether the list was read to its end (not cut off after its last page read).
    complete: bool

    def registered(self, phone_account_id: str) -> bool | None:
        """Return whether a phone is registered to a phone account; None when not known.

        A phone account missing from the whole list is not active: no phone is.
        """
        if (account := self.accounts.get(phone_account_id)) is not None:
            return account.registered
        return False if self.complete else None


class PhonesCoordinator(PolledReadCoordinator[PhoneAccounts]):
    """The company's active phone accounts; the data is None until a first good read."""

    settings = PHONES_READ

    @override
    async def _async_read(self) -> PhoneAccounts:
        """Read the company's active phone accounts."""
        accounts, complete = await self.client.get_phone_accounts(
            max_pages=PHONE_ACCOUNTS_MAX_PAGES
        )
        return PhoneAccounts(accounts=accounts, complete=complete)

    @override
    async def _async_read_done(
        self, data: PhoneAccounts, started: float
    ) -> PhoneAccounts:
        """Keep what was read."""
        return data
