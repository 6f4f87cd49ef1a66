"""Typed async client of the VoIPGRID platform (no Home Assistant imports)."""

from .client import DEFAULT_BASE_URL, VoipgridClient
from .errors import (
    InvalidNotificationError,
    InvalidNumberError,
    VoipgridAuthenticationError,
    VoipgridConnectionError,
    VoipgridError,
    VoipgridInvalidRequestError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from .models import TERMINAL_STATUSES, Call, CallStatus, Profile, parse_status
from .notification import Direction, Notification, NotificationStatus, Party
from .numbers import DEFAULT_NUMBER, calling_code, clean_number, same_number

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_NUMBER",
    "TERMINAL_STATUSES",
    "Call",
    "CallStatus",
    "Direction",
    "InvalidNotificationError",
    "InvalidNumberError",
    "Notification",
    "NotificationStatus",
    "Party",
    "Profile",
    "VoipgridAuthenticationError",
    "VoipgridClient",
    "VoipgridConnectionError",
    "VoipgridError",
    "VoipgridInvalidRequestError",
    "VoipgridNotFoundError",
    "VoipgridRateLimitError",
    "VoipgridResponseError",
    "calling_code",
    "clean_number",
    "parse_status",
    "same_number",
]
