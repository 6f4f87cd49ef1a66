"""Platform errors as Home Assistant errors: one mapping for setup, tracking, actions and flows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Coroutine
from functools import wraps
from typing import Any, Concatenate, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .voipgrid import (
    VoipgridAuthenticationError,
    VoipgridCredentialsError,
    VoipgridError,
    VoipgridInvalidRequestError,
    VoipgridNotAllowedError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
)


class AccountPart(Protocol):
    """A part of one account's set-up: Home Assistant and the account's config entry."""

    @property
    def hass(self) -> HomeAssistant:
        """Return Home Assistant."""

    @property
    def config_entry(self) -> ConfigEntry[Any]:
        """Return the account's config entry."""


def voipgrid_errors[S: AccountPart, **P, R](
    to_error: Callable[[VoipgridError], HomeAssistantError],
    *,
    reauth_on: Collection[int] = (401,),
) -> Callable[
    [Callable[Concatenate[S, P], Awaitable[R]]],
    Callable[Concatenate[S, P], Coroutine[Any, Any, R]],
]:
    """Make a platform error of an account's action or choice the error ``to_error`` names.

    When the platform refuses the credentials with a status in ``reauth_on``,
    re-authentication starts first.
    """

    def decorator(
        func: Callable[Concatenate[S, P], Awaitable[R]],
    ) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
        @wraps(func)
        async def handler(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await func(self, *args, **kwargs)
            except VoipgridError as err:
                if (
                    isinstance(err, VoipgridAuthenticationError)
                    and err.status in reauth_on
                ):
                    self.config_entry.async_start_reauth(self.hass)
                raise to_error(err) from err

        return handler

    return decorator


def auth_failed() -> ConfigEntryAuthFailed:
    """Return the error that starts reauthentication: the token is no longer accepted."""
    return ConfigEntryAuthFailed(
        translation_domain=DOMAIN, translation_key="invalid_auth"
    )


def setup_error(err: VoipgridError) -> HomeAssistantError:
    """Return the error that fails the setup of an account (reauth, or retry later)."""
    if isinstance(err, VoipgridAuthenticationError):
        return auth_failed()
    return UpdateFailed(translation_domain=DOMAIN, translation_key="cannot_connect")


def status_unavailable() -> UpdateFailed:
    """Return the error that makes the call entities unavailable after long failures."""
    return UpdateFailed(translation_domain=DOMAIN, translation_key="status_unavailable")


def rate_limited(err: VoipgridRateLimitError) -> HomeAssistantError:
    """Return the error of a request the platform refused for now: how long to wait."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="rate_limited",
        translation_placeholders={"retry_after": f"{err.retry_after:g}"},
    )


def action_error(err: VoipgridError) -> HomeAssistantError:
    """Return the error an action shows when the platform refuses or fails a request."""
    if isinstance(err, VoipgridAuthenticationError):
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="call_auth_failed"
        )
    if isinstance(err, VoipgridInvalidRequestError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="call_rejected",
            translation_placeholders={"message": err.message},
        )
    if isinstance(err, VoipgridRateLimitError):
        return rate_limited(err)
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key="cannot_connect"
    )


def destinations_not_read() -> UpdateFailed:
    """Return the error of the select while which phone rings has never been read."""
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key="destinations_not_read"
    )


def destinations_unavailable() -> UpdateFailed:
    """Return the error that makes the select unavailable after 15 minutes of failures."""
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key="destinations_unavailable"
    )


def destination_error(err: VoipgridError) -> HomeAssistantError:
    """Return the error shown when the platform refuses or fails a choice of phone."""
    if isinstance(err, VoipgridAuthenticationError):
        if err.status == 401:
            return HomeAssistantError(
                translation_domain=DOMAIN, translation_key="destination_auth_failed"
            )
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="destination_forbidden"
        )
    if isinstance(err, VoipgridInvalidRequestError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="destination_rejected",
            translation_placeholders={"message": err.message},
        )
    if isinstance(err, VoipgridRateLimitError):
        return rate_limited(err)
    if isinstance(err, VoipgridNotFoundError):
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="destination_not_found"
        )
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key="cannot_connect"
    )


def flow_error(err: VoipgridError) -> str:
    """Return the form error of a config flow whose credential check failed."""
    if isinstance(err, (VoipgridAuthenticationError, VoipgridCredentialsError)):
        # Credentials that cannot even be sent are wrong too.
        return "invalid_auth"
    if isinstance(err, VoipgridInvalidRequestError):
        return "unknown"
    return "cannot_connect"


def history_not_read() -> UpdateFailed:
    """Return the error of the call history while it has never been read."""
    return UpdateFailed(translation_domain=DOMAIN, translation_key="history_not_read")


def history_unavailable() -> UpdateFailed:
    """Return the error that makes the call history unavailable after an hour of failures."""
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key="history_unavailable"
    )


def phones_not_read() -> UpdateFailed:
    """Return the error of the phones online while the phone list has never been read."""
    return UpdateFailed(translation_domain=DOMAIN, translation_key="phones_not_read")


def phones_unavailable() -> UpdateFailed:
    """Return the error that makes the phones online unavailable after 15 minutes."""
    return UpdateFailed(translation_domain=DOMAIN, translation_key="phones_unavailable")


def hang_up_error(err: VoipgridError) -> HomeAssistantError:
    """Return the error shown when the platform does not stop a call.

    Whether the platform can stop a call is not known: a 404, 405 or 403 says it cannot
    stop this one, a 400 says so in the platform's own words.
    """
    if isinstance(err, (VoipgridNotFoundError, VoipgridNotAllowedError)) or (
        isinstance(err, VoipgridAuthenticationError) and err.status == 403
    ):
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="hang_up_refused"
        )
    if isinstance(err, VoipgridInvalidRequestError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="hang_up_rejected",
            translation_placeholders={"message": err.message},
        )
    return action_error(err)


def queues_not_read() -> UpdateFailed:
    """Return the error of the queue sensors while the queues have never been read."""
    return UpdateFailed(translation_domain=DOMAIN, translation_key="queues_not_read")


def queues_unavailable() -> UpdateFailed:
    """Return the error that makes the queue sensors unavailable after 5 minutes."""
    return UpdateFailed(translation_domain=DOMAIN, translation_key="queues_unavailable")


def caller_ids_not_read() -> UpdateFailed:
    """Return the error of the caller ID select while its numbers were never read."""
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key="caller_ids_not_read"
    )


def caller_ids_unavailable() -> UpdateFailed:
    """Return the error that makes the caller ID select unavailable after 6 hours."""
    return UpdateFailed(
        translation_domain=DOMAIN, translation_key="caller_ids_unavailable"
    )
