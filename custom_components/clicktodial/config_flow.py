"""Config flow of the Click to dial integration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import ipaddress
from typing import Any, override

import probatio
from yarl import URL

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import CONF_EMAIL, CONF_NAME, CONF_URL
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .calls.path import fold_name
from .const import (
    AUTO_ANSWER_OPTIONS,
    AUTO_ANSWER_PLATFORM,
    CONF_A_NUMBER,
    CONF_API_TOKEN,
    CONF_AUTO_ANSWER,
    CONF_B_CLI,
    CONF_CALL_NOTIFICATIONS,
    CONF_NUMBER,
    CONF_SHOW_COLLEAGUES,
    CONF_WHOLE_COMPANY,
    DOMAIN,
    KNOWN_URLS,
    LOGGER,
    SUBENTRY_TYPE_CONTACT,
)
from .errors import flow_error
from .reads.caller_ids import caller_id_selector
from .reads.destinations import destination_options
from .runtime import ClickToDialConfigEntry
from .voipgrid import (
    DEFAULT_BASE_URL,
    CallerIdNumber,
    InvalidNumberError,
    Profile,
    VoipgridClient,
    VoipgridError,
    clean_number,
    number_key,
)

# Shown in the URL field's help and in its error: translations cannot contain URLs.
EXAMPLE_URL = "https://partner.voys.co"

_URL_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=KNOWN_URLS, custom_value=True, mode=SelectSelectorMode.DROPDOWN
    )
)
_EMAIL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
_TOKEN_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)

USER_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_URL, default=DEFAULT_BASE_URL): _URL_SELECTOR,
        probatio.Required(CONF_EMAIL): _EMAIL_SELECTOR,
        probatio.Required(CONF_API_TOKEN): _TOKEN_SELECTOR,
    }
)
RECONFIGURE_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_URL): _URL_SELECTOR,
        probatio.Required(CONF_EMAIL): _EMAIL_SELECTOR,
        probatio.Required(CONF_API_TOKEN): _TOKEN_SELECTOR,
    }
)
REAUTH_SCHEMA = probatio.Schema({probatio.Required(CONF_API_TOKEN): _TOKEN_SELECTOR})


def _call_defaults(
    auto_answer_translation_key: str, caller_ids: Sequence[CallerIdNumber] | None
) -> dict[Any, Any]:
    """Return the fields of call defaults; the choices' names differ per form.

    Caller ID offers the account's numbers when they were read (typing one stays
    possible), else it is a number to type.
    """
    return {
        probatio.Optional(CONF_A_NUMBER): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
        probatio.Optional(CONF_B_CLI): TextSelector()
        if caller_ids is None
        else caller_id_selector(caller_ids),
        probatio.Required(
            CONF_AUTO_ANSWER, default=AUTO_ANSWER_PLATFORM
        ): SelectSelector(
            SelectSelectorConfig(
                options=AUTO_ANSWER_OPTIONS,
                translation_key=auto_answer_translation_key,
                mode=SelectSelectorMode.LIST,
            )
        ),
    }


def _phone_selector(phones: list[SelectOptionDict]) -> SelectSelector:
    """Return the field of the phone to ring first: one of the user's phones, or typed."""
    return SelectSelector(
        SelectSelectorConfig(
            options=phones, custom_value=True, mode=SelectSelectorMode.DROPDOWN
        )
    )


def options_schema(
    phones: list[SelectOptionDict],
    caller_ids: Sequence[CallerIdNumber] | None = None,
) -> probatio.Schema:
    """Return the call defaults form: the phone to ring first is picked or typed."""
    return probatio.Schema(
        {
            **_call_defaults(CONF_AUTO_ANSWER, caller_ids),
            probatio.Optional(CONF_A_NUMBER): _phone_selector(phones),
            probatio.Optional(CONF_CALL_NOTIFICATIONS): BooleanSelector(),
            probatio.Optional(CONF_WHOLE_COMPANY): BooleanSelector(),
            probatio.Optional(CONF_SHOW_COLLEAGUES): BooleanSelector(),
        }
    )


def _phone_options(entry: ClickToDialConfigEntry) -> list[SelectOptionDict]:
    """Return the phones "Phone that rings" offers, as last read, that have a number.

    Phone accounts ring by their internal number, fixed destinations (a mobile) by theirs.
    """
    if entry.state is not ConfigEntryState.LOADED:
        return []
    coordinator = entry.runtime_data.destinations
    if coordinator is None or coordinator.data is None:
        return []
    return [
        SelectOptionDict(value=phone.number, label=label)
        for label, phone in destination_options(coordinator.data).items()
        if phone is not None and phone.number
    ]


def _caller_ids(entry: ClickToDialConfigEntry) -> Sequence[CallerIdNumber] | None:
    """Return the numbers the account may show as caller ID, as last read (None: not read)."""
    if entry.state is not ConfigEntryState.LOADED:
        return None
    coordinator = entry.runtime_data.caller_ids
    return None if coordinator is None else coordinator.data


def contact_schema(
    phones: list[SelectOptionDict],
    caller_ids: Sequence[CallerIdNumber] | None = None,
) -> probatio.Schema:
    """Return the contact form; the phone to ring first is offered as in the options.

    In the options "platform" means the platform's own setting; in a contact it means
    the account's call defaults (its options), so the choice has another name there.
    """
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_NUMBER): TextSelector(
                TextSelectorConfig(type=TextSelectorType.TEL)
            ),
            **_call_defaults(f"contact_{CONF_AUTO_ANSWER}", caller_ids),
            probatio.Optional(CONF_A_NUMBER): _phone_selector(phones),
        }
    )


def normalize_url(value: str) -> str | None:
    """Return the platform base URL without trailing slash, or None when unusable.

    Plain ``http://`` is only accepted for a loopback address (a local simulator), so the
    API token never travels in clear text.
    """
    try:
        url = URL(value.strip())
    except ValueError:
        return None
    if (
        url.scheme not in ("http", "https")
        or not url.host
        or url.user is not None
        or url.password is not None
        or url.query_string
        or url.fragment
    ):
        return None
    if url.scheme == "http" and not _is_loopback(url.host):
        return None
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    """Return whether a host name or address is this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ClickToDialConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a VoIPGRID account."""

    VERSION = 1

    @staticmethod
    @callback
    @override
    def async_get_options_flow(
        config_entry: ClickToDialConfigEntry,
    ) -> ClickToDialOptionsFlow:
        """Return the options flow."""
        return ClickToDialOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ClickToDialConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Return the subentries an account can have: contacts."""
        return {SUBENTRY_TYPE_CONTACT: ContactSubentryFlow}

    async def _async_check(
        self, url: str, email: str, api_token: str
    ) -> tuple[Profile | None, dict[str, str]]:
        """Check credentials against the profile endpoint; return the profile or errors.

        Credentials that cannot even be sent are wrong, and are not sent.
        """
        try:
            client = VoipgridClient(
                async_get_clientsession(self.hass),
                base_url=url,
                email=email,
                api_token=api_token,
            )
            profile = await client.get_profile()
        except VoipgridError as err:
            return None, {"base": flow_error(err)}
        except Exception:  # noqa: BLE001 - a config flow must answer with a form error
            LOGGER.exception("Unexpected error while checking the credentials")
            return None, {"base": "unknown"}
        if not profile.can_click_to_dial:
            return None, {"base": "no_click_to_dial"}
        return profile, {}

    async def _async_check_input(
        self, user_input: dict[str, Any]
    ) -> tuple[dict[str, str] | None, Profile | None, dict[str, str]]:
        """Validate the URL and the credentials of a user or reconfigure form."""
        errors: dict[str, str] = {}
        url = normalize_url(user_input[CONF_URL])
        if url is None:
            errors[CONF_URL] = "invalid_url"
        email = user_input[CONF_EMAIL].strip()
        if not email:
            errors[CONF_EMAIL] = "required"
        api_token = user_input[CONF_API_TOKEN].strip()
        if not api_token:
            errors[CONF_API_TOKEN] = "required"
        if url is None or errors:
            return None, None, errors
        data = {CONF_URL: url, CONF_EMAIL: email, CONF_API_TOKEN: api_token}
        profile, errors = await self._async_check(
            data[CONF_URL], data[CONF_EMAIL], data[CONF_API_TOKEN]
        )
        return data, profile, errors

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the platform URL, email and API token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, profile, errors = await self._async_check_input(user_input)
            if data is not None and profile is not None:
                await self.async_set_unique_id(profile.unique_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=profile.name or profile.email or data[CONF_EMAIL], data=data
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                USER_SCHEMA, _without_token(user_input)
            ),
            description_placeholders={"example_url": EXAMPLE_URL},
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication when the platform refuses the token."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new API token for the same account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            api_token = user_input[CONF_API_TOKEN].strip()
            if not api_token:
                errors[CONF_API_TOKEN] = "required"
            else:
                profile, errors = await self._async_check(
                    entry.data[CONF_URL], entry.data[CONF_EMAIL], api_token
                )
                if profile is not None:
                    await self.async_set_unique_id(profile.unique_id)
                    self._abort_if_unique_id_mismatch(reason="wrong_account")
                    return self.async_update_reload_and_abort(
                        entry, data_updates={CONF_API_TOKEN: api_token}
                    )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,
            description_placeholders={"email": entry.data[CONF_EMAIL]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the platform URL or the credentials of the same account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, profile, errors = await self._async_check_input(user_input)
            if data is not None and profile is not None:
                await self.async_set_unique_id(profile.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_SCHEMA, _without_token(user_input or dict(entry.data))
            ),
            description_placeholders={"example_url": EXAMPLE_URL},
            errors=errors,
        )


def _without_token(user_input: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return form values to suggest again, never the API token."""
    return {k: v for k, v in (user_input or {}).items() if k != CONF_API_TOKEN}


class ClickToDialOptionsFlow(OptionsFlowWithReload):
    """Defaults for the fields of the ``clicktodial.call`` action; call notifications."""

    # Call defaults are read at each call: a change needs no reload. Turning call
    # notifications on or off does (entities, webhook, subscription): see below.
    automatic_reload = False

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the call defaults and whether to follow all calls of the account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options, errors = _clean_call_defaults(user_input)
            if not errors:
                following = bool(
                    self.config_entry.options.get(CONF_CALL_NOTIFICATIONS, False)
                )
                # Left out when off, like the empty numbers; a form without the
                # switch leaves it as it is.
                if user_input.get(CONF_CALL_NOTIFICATIONS, following):
                    options[CONF_CALL_NOTIFICATIONS] = True
                if user_input.get(CONF_WHOLE_COMPANY):
                    options[CONF_WHOLE_COMPANY] = True
                if user_input.get(CONF_SHOW_COLLEAGUES):
                    options[CONF_SHOW_COLLEAGUES] = True
                # Only switching these reloads: a reload makes every entity of the
                # account unavailable for a moment.
                showing = self.config_entry.options.get(CONF_SHOW_COLLEAGUES, False)
                self.automatic_reload = (
                    options.get(CONF_CALL_NOTIFICATIONS, False) != following
                    or options.get(CONF_SHOW_COLLEAGUES, False) != showing
                )
                return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                options_schema(
                    _phone_options(self.config_entry), _caller_ids(self.config_entry)
                ),
                user_input or self.config_entry.options,
            ),
            errors=errors,
        )


def _clean_call_defaults(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the numbers of a call-defaults form; return the data and form errors.

    Empty numbers are left out, so that a call falls back to the next default.
    """
    data: dict[str, Any] = {CONF_AUTO_ANSWER: user_input[CONF_AUTO_ANSWER]}
    errors: dict[str, str] = {}
    for field in (CONF_A_NUMBER, CONF_B_CLI):
        if value := user_input.get(field, "").strip():
            try:
                data[field] = clean_number(
                    value, allow_default_number=field == CONF_B_CLI
                )
            except InvalidNumberError:
                errors[field] = "invalid_number"
    return data, errors


class ContactSubentryFlow(ConfigSubentryFlow):
    """Add or edit a contact: a number to call with one button."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a contact."""
        return await self._async_step_contact("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a contact."""
        return await self._async_step_contact("reconfigure", user_input)

    async def _async_step_contact(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        """Show and check the contact form of either step."""
        editing = self._get_reconfigure_subentry() if step_id == "reconfigure" else None
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _clean_call_defaults(user_input)
            data[CONF_NAME] = user_input[CONF_NAME].strip()
            if not data[CONF_NAME]:
                errors[CONF_NAME] = "invalid_name"
            elif self._name_taken(data[CONF_NAME], editing):
                errors[CONF_NAME] = "name_taken"
            try:
                data[CONF_NUMBER] = clean_number(user_input[CONF_NUMBER])
            except InvalidNumberError:
                errors[CONF_NUMBER] = "invalid_number"
            else:
                if self._number_taken(data[CONF_NUMBER], editing):
                    errors[CONF_NUMBER] = "already_configured"
            if not errors:
                number = data[CONF_NUMBER]
                if editing is None:
                    return self.async_create_entry(
                        title=data[CONF_NAME], data=data, unique_id=number
                    )
                return self.async_update_and_abort(
                    self._get_entry(),
                    editing,
                    title=data[CONF_NAME],
                    data=data,
                    unique_id=number,
                )
        suggested = user_input or (dict(editing.data) if editing else {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                contact_schema(
                    _phone_options(self._get_entry()), _caller_ids(self._get_entry())
                ),
                suggested,
            ),
            errors=errors,
        )

    def _name_taken(self, name: str, editing: ConfigSubentry | None) -> bool:
        """Return whether another contact of the account has the name, as Assist reads it.

        Contacts are called by name, regardless of case and punctuation: two "Alice"s,
        or "Smith, John" and "Smith John", could not be told apart.
        """
        wanted = fold_name(name)
        return any(
            fold_name(subentry.data[CONF_NAME]) == wanted
            for subentry in self._get_entry().subentries.values()
            if editing is None or subentry.subentry_id != editing.subentry_id
        )

    def _number_taken(self, number: str, editing: ConfigSubentry | None) -> bool:
        """Return whether another contact of the account has the same number.

        With Home Assistant's country set, 0508009899 is the same as +31508009899.
        """
        country = self.hass.config.country
        key = number_key(number, country)
        return any(
            number_key(subentry.data[CONF_NUMBER], country) == key
            for subentry in self._get_entry().subentries.values()
            if editing is None or subentry.subentry_id != editing.subentry_id
        )
