"""Typed async client of the VoIPGRID platform (no Home Assistant imports)."""

from .client import DEFAULT_BASE_URL, VoipgridClient
from .errors import (
    InvalidNumberError,
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridCredentialsError,
    VoipgridError,
    VoipgridInvalidRequestError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from .models import (
    TERMINAL_STATUSES,
    Call,
    CallStatus,
    Destination,
    DestinationKind,
    Destinations,
    Profile,
    SelectedDestination,
    parse_status,
)
from .numbers import DEFAULT_NUMBER, clean_number, number_key

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_NUMBER",
    "TERMINAL_STATUSES",
    "Call",
    "CallStatus",
    "Destination",
    "DestinationKind",
    "Destinations",
    "InvalidNumberError",
    "Profile",
    "SelectedDestination",
    "VoipgridAuthenticationError",
    "VoipgridClient",
    "VoipgridConnectionError",
    "VoipgridCredentialsError",
    "VoipgridError",
    "VoipgridInvalidRequestError",
    "VoipgridNotFoundError",
    "VoipgridRateLimitError",
    "VoipgridResponseError",
    "clean_number",
    "number_key",
    "parse_status",
]
