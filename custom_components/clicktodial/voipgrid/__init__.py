"""Typed async client of the VoIPGRID platform (no Home Assistant imports)."""

from .caller_ids import CallerIdNumber
from .client import VoipgridClient
from .core import DEFAULT_BASE_URL
from .errors import (
    InvalidNotificationError,
    InvalidNumberError,
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridCredentialsError,
    VoipgridError,
    VoipgridInvalidRequestError,
    VoipgridNotAllowedError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from .history import (
    CallHistory,
    HistoryApi,
    HistoryCall,
    HistoryDirection,
    HistoryParty,
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
from .notification import (
    Direction,
    Notification,
    NotificationStatus,
    Party,
    Target,
    clean_text,
)
from .numbers import DEFAULT_NUMBER, calling_code, clean_number, number_key, same_number
from .phones import PhoneAccount
from .queues import CallQueue
from .ratelimit import Backoff, RateLimit

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_NUMBER",
    "TERMINAL_STATUSES",
    "Backoff",
    "Call",
    "CallHistory",
    "CallQueue",
    "CallStatus",
    "CallerIdNumber",
    "Destination",
    "DestinationKind",
    "Destinations",
    "Direction",
    "HistoryApi",
    "HistoryCall",
    "HistoryDirection",
    "HistoryParty",
    "InvalidNotificationError",
    "InvalidNumberError",
    "Notification",
    "NotificationStatus",
    "Party",
    "PhoneAccount",
    "Profile",
    "RateLimit",
    "SelectedDestination",
    "Target",
    "VoipgridAuthenticationError",
    "VoipgridClient",
    "VoipgridConnectionError",
    "VoipgridCredentialsError",
    "VoipgridError",
    "VoipgridInvalidRequestError",
    "VoipgridNotAllowedError",
    "VoipgridNotFoundError",
    "VoipgridRateLimitError",
    "VoipgridResponseError",
    "calling_code",
    "clean_number",
    "clean_text",
    "number_key",
    "parse_status",
    "same_number",
]
