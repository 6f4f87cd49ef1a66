"""Errors raised by the VoIPGRID client."""

from __future__ import annotations


class VoipgridError(Exception):
    """Base class of every error raised by this client."""


class VoipgridConnectionError(VoipgridError):
    """The platform could not be reached or did not answer in time."""


class VoipgridAuthenticationError(VoipgridError):
    """The platform refused the credentials (401) or the permission (403)."""

    def __init__(self, status: int) -> None:
        """Keep the HTTP status: 401 is a wrong email/token, 403 a missing permission."""
        super().__init__(f"Authentication failed (HTTP {status})")
        self.status = status


class VoipgridCredentialsError(VoipgridError, ValueError):
    """The email or API token cannot be sent: empty, or not fit for an HTTP header."""


class VoipgridRateLimitError(VoipgridError):
    """The platform asks to slow down (429)."""

    def __init__(self, retry_after: float) -> None:
        """Keep how many seconds to wait before the next request."""
        super().__init__(f"Rate limited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class VoipgridInvalidRequestError(VoipgridError):
    """The platform rejected the request (400); the message is the platform's own."""

    def __init__(self, message: str) -> None:
        """Keep the platform's own words."""
        super().__init__(message)
        self.message = message


class VoipgridNotFoundError(VoipgridError):
    """The resource does not exist (404), for example an unknown or expired call."""


class VoipgridResponseError(VoipgridError):
    """The platform answered something this client cannot use (5xx, non-JSON, bad shape)."""


class VoipgridNotAllowedError(VoipgridResponseError):
    """The platform does not allow this method on the resource (405)."""


class InvalidNumberError(ValueError):
    """A phone number or extension that cannot be dialled."""


class InvalidNotificationError(ValueError):
    """A call notification whose body is not what the platform sends."""
