"""The phone account list: which of the account's phones are active and registered."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from .core import VoipgridCore
from .phones import PhoneAccount, parse_phone_account_page

PHONE_ACCOUNT_PATH: Final = "/api/phoneaccount/basic/phoneaccount/"


class PhoneAccountRequests(VoipgridCore):
    """The requests of the phone account list."""

    async def get_phone_accounts(
        self,
        wanted: Collection[str] | None = None,
        *,
        limit: int = 100,
        max_pages: int = 10,
    ) -> tuple[dict[str, PhoneAccount], bool]:
        """Return the active phone accounts by id, and whether the list was read to its end.

        With ``wanted``, reading stops once every wanted id was found, and only those
        are returned.
        """
        found: dict[str, PhoneAccount] = {}
        for number in range(max_pages):
            page = parse_phone_account_page(
                await self._request(
                    "GET",
                    PHONE_ACCOUNT_PATH,
                    params={
                        "active": "true",
                        "order_by": "description",
                        "limit": str(limit),
                        "offset": str(number * limit),
                    },
                )
            )
            found.update(
                (account.id, account)
                for account in page.accounts
                if wanted is None or account.id in wanted
            )
            if (
                page.size < limit
                or not page.has_next
                or (wanted is not None and set(wanted) <= found.keys())
            ):
                return found, True
        return found, False
