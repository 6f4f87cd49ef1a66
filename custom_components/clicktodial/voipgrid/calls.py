"""Click-to-dial calls: start one, read how it goes."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from .core import VoipgridCore
from .models import Call

CLICK_TO_DIAL_PATH: Final = "/api/clicktodial/"


class CallRequests(VoipgridCore):
    """The requests of click-to-dial calls."""

    async def start_call(
        self,
        b_number: str,
        *,
        a_number: str | None = None,
        b_cli: str | None = None,
        auto_answer: bool | None = None,
        despite_pause: bool = False,
    ) -> Call:
        """Start a call: ring the user's own phone, then ``b_number``.

        ``despite_pause`` sends it even while the account is rate limited.
        """
        body: dict[str, Any] = {"b_number": b_number}
        if a_number is not None:
            body["a_number"] = a_number
        if b_cli is not None:
            body["b_cli"] = b_cli
        if auto_answer is not None:
            body["auto_answer"] = auto_answer
        return Call.from_json(
            await self._request(
                "POST", CLICK_TO_DIAL_PATH, body, despite_pause=despite_pause
            )
        )

    async def get_call(self, call_id: str) -> Call:
        """Return the current state of a call."""
        return Call.from_json(
            await self._request("GET", f"{CLICK_TO_DIAL_PATH}{call_id}/")
        )

    async def hang_up_call(self, call_id: str, *, despite_pause: bool = False) -> None:
        """Ask the platform to stop a call (``DELETE``); any 2xx answer is success.

        Not confirmed by the platform: a refusal comes as VoipgridNotFoundError (404),
        VoipgridNotAllowedError (405) or VoipgridInvalidRequestError (400).
        ``despite_pause`` sends it even while the account is rate limited.
        """
        await self._request(
            "DELETE",
            f"{CLICK_TO_DIAL_PATH}{quote(call_id, safe='')}/",
            ignore_body=True,
            despite_pause=despite_pause,
        )
