"""The simulator's "phone that rings": the user's destinations and the one selected.

``GET /api/userdestination/`` lists the user's phone accounts and fixed destinations with
the selection; ``PUT /api/selecteduserdestination/{id}/`` selects one of them, or none
(the user is then not available). Partner accounts get 403. Faults:
``simulator.inject("get_destinations", ...)`` and ``"set_destination"``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .accounts import Account
from .core import Platform, endpoint


class UserDestinations:
    """Which phone of a user rings: listed and chosen."""

    def __init__(self, platform: Platform) -> None:
        """Serve the destinations of ``platform``'s users."""
        self.platform = platform

    def add_routes(self, app: web.Application) -> None:
        """Serve both paths on ``app``."""
        app.router.add_get("/api/userdestination/", self._get_destinations)
        app.router.add_put(
            "/api/selecteduserdestination/{selected_id}/", self._set_destination
        )

    @endpoint("get_destinations", users_only=True)
    async def _get_destinations(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """GET /api/userdestination/."""
        return web.json_response(account.userdestination())

    @endpoint("set_destination", users_only=True)
    async def _set_destination(
        self, request: web.Request, account: Account, body: Any
    ) -> web.StreamResponse:
        """PUT /api/selecteduserdestination/{selected_id}/."""
        if request.match_info["selected_id"] != str(account.selected_destination_id):
            return web.json_response({"detail": "Not found."}, status=404)
        if not isinstance(body, dict):
            return web.json_response("Invalid JSON", status=400)
        error = _validate_destination(account, body)
        if error is not None:
            return web.json_response(error, status=400)
        account.selected_phoneaccount = body["phoneaccount"]
        account.selected_fixeddestination = body["fixeddestination"]
        selected = account.userdestination()["objects"][0]["selecteduserdestination"]
        return web.json_response(selected)


def _validate_destination(account: Account, body: dict[str, Any]) -> Any:
    """Return the platform's 400 body for a bad choice of destination, or None."""
    for name, choices in (
        ("phoneaccount", account.phone_accounts),
        ("fixeddestination", account.fixed_destinations),
    ):
        if name not in body:
            return {name: ["This field is required."]}
        value = body[name]
        if value is not None and str(value) not in {
            str(choice["id"]) for choice in choices
        }:
            return {name: [f'Invalid pk "{value}" - object does not exist.']}
    if body["phoneaccount"] is not None and body["fixeddestination"] is not None:
        return {
            "error": "Choose either a phone account or a fixed destination, not both."
        }
    return None
