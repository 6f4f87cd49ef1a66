"""The platform's users: who may log in, their profile and which phone of theirs rings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_EMAIL = "demo@example.com"
DEFAULT_TOKEN = "demo-token"


def demo_phone_accounts() -> list[dict[str, Any]]:
    """Return the user's phones of a new account: a desk phone and a softphone."""
    return [
        {
            "id": 101,
            "account_id": 150010001,
            "internal_number": 201,
            "description": "Desk",
        },
        {
            "id": 102,
            "account_id": 150010002,
            "internal_number": 202,
            "description": "Softphone",
        },
    ]


def demo_caller_ids() -> list[dict[str, Any]]:
    """Return the numbers a new account may show as caller ID: the main one and Sales'."""
    return [
        {"number": "+31508009000", "description": "Main number"},
        {"number": "+31508009010", "description": "Sales"},
    ]


def demo_fixed_destinations() -> list[dict[str, Any]]:
    """Return the numbers outside the platform of a new account: a mobile."""
    return [{"id": 55, "phonenumber": "+31612345678", "description": "Mobile"}]


@dataclass(kw_only=True)
class Account:
    """One user of the platform."""

    email: str
    token: str
    id: int
    first_name: str = "Demo"
    last_name: str = "User"
    partner: bool = False
    may_set_a_number: bool = True
    # Whether the user may subscribe to call notifications (403 otherwise).
    may_use_call_notifications: bool = True
    revoked: bool = False
    # Which phone rings: the user's phone accounts and fixed destinations, and the
    # selection (both ids None: not available). Ids as the platform serves them.
    phone_accounts: list[dict[str, Any]] = field(default_factory=demo_phone_accounts)
    fixed_destinations: list[dict[str, Any]] = field(
        default_factory=demo_fixed_destinations
    )
    selected_phoneaccount: int | str | None = 101
    selected_fixeddestination: int | str | None = None
    # The numbers the account may show as caller ID (``number``, ``description``).
    caller_ids: list[dict[str, Any]] = field(default_factory=demo_caller_ids)

    @property
    def client_uuid(self) -> str:
        """Return the uuid of the user's company, as the profile names it."""
        return f"10000000-0000-4000-8000-{self.id:012d}"

    @property
    def available(self) -> bool:
        """Return whether a phone of the user rings (not "not available")."""
        return (
            self.selected_phoneaccount is not None
            or self.selected_fixeddestination is not None
        )

    @property
    def name(self) -> str:
        """Return the user's name as the platform shows it."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def selected_destination_id(self) -> int:
        """Return the id of the user's selected destination (the PUT's resource)."""
        return self.id + 8

    def userdestination(self) -> dict[str, Any]:
        """Return the JSON of GET /api/userdestination/ for this user."""
        return {
            "objects": [
                {
                    "id": self.id + 6,
                    "internal_number": self.phone_accounts[0]["internal_number"]
                    if self.phone_accounts
                    else None,
                    "fixeddestinations": self.fixed_destinations,
                    "phoneaccounts": self.phone_accounts,
                    "selecteduserdestination": {
                        "id": self.selected_destination_id,
                        "fixeddestination": self.selected_fixeddestination,
                        "phoneaccount": self.selected_phoneaccount,
                    },
                }
            ]
        }

    def profile(self) -> dict[str, Any]:
        """Return the profile JSON the platform serves for this user."""
        return {
            "id": self.id,
            "uuid": f"00000000-0000-4000-8000-{self.id:012d}",
            "email": self.email,
            "first_name": self.first_name,
            "preposition": "",
            "last_name": self.last_name,
            "client": None if self.partner else f"/api/apprelation/client/{self.id}/",
            "client_id": None if self.partner else self.id,
            "client_uuid": None if self.partner else self.client_uuid,
            "client_name": None if self.partner else "Demo Company",
            "partner": "/api/apprelation/partner/1/",
            "mobile_nr": "+31612345678",
            "outgoing_cli": "+31508009000",
            "language": "nl",
            "timezone": "Europe/Amsterdam",
            "app_account": None,
        }
