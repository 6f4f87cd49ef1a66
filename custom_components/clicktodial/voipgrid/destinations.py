"""Which phone rings: the user's destinations and the choice of one."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from .core import VoipgridCore
from .models import Destinations

USER_DESTINATION_PATH: Final = "/api/userdestination/"
SELECTED_DESTINATION_PATH: Final = "/api/selecteduserdestination/"


class DestinationRequests(VoipgridCore):
    """The requests of the user's destinations."""

    async def get_destinations(self) -> Destinations:
        """Return the user's phones that can ring and which of them rings now."""
        return Destinations.from_json(await self._request("GET", USER_DESTINATION_PATH))

    async def set_destination(
        self,
        selected_id: str,
        *,
        phoneaccount: str | None = None,
        fixeddestination: str | None = None,
        despite_pause: bool = False,
    ) -> None:
        """Choose the phone that rings: a phone account, a fixed destination, or neither.

        Neither means the user is not available. Any 2xx answer is success.
        ``despite_pause`` sends it even while the account is rate limited.
        """
        if phoneaccount is not None and fixeddestination is not None:
            raise ValueError("Choose a phone account or a fixed destination, not both")
        await self._request(
            "PUT",
            f"{SELECTED_DESTINATION_PATH}{quote(selected_id, safe='')}/",
            {
                "phoneaccount": _json_id(phoneaccount),
                "fixeddestination": _json_id(fixeddestination),
            },
            ignore_body=True,
            despite_pause=despite_pause,
        )


def _json_id(value: str | None) -> int | str | None:
    """Return an id as the platform spells it in JSON: a number when it is one."""
    if value is not None and value.isdecimal() and str(int(value)) == value:
        return int(value)
    return value
