"""Tests of the platform client against the simulator over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
import math
import socket
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.clicktodial.voipgrid import (
    DEFAULT_NUMBER,
    Call,
    CallStatus,
    InvalidNumberError,
    Profile,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridConnectionError,
    VoipgridCredentialsError,
    VoipgridError,
    VoipgridInvalidRequestError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
    clean_number,
    number_key,
    parse_status,
)
from custom_components.clicktodial.voipgrid.core import error_message
from custom_components.clicktodial.voipgrid.ratelimit import (
    DEFAULT_RETRY_AFTER,
    retry_after_seconds,
)
from homeassistant.core import HomeAssistant
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Account, Fault, Simulator

from .helpers import ClientFactory
from .timing import FrozenClock, turns_until

ACCOUNT_UUID = "00000000-0000-4000-8000-000000000001"
B_NUMBER = "+31508009899"


def assert_no_secret(err: BaseException) -> None:
    """Assert that an exception does not reveal the API token."""
    for text in (str(err), repr(err), *map(str, err.args)):
        assert DEFAULT_TOKEN not in text


def unused_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- profile ---------------------------------------------------------------------------


async def test_get_profile(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The profile of the account behind the credentials is read."""
    profile = await api_client.get_profile()

    assert profile == Profile(
        id="1",
        uuid=ACCOUNT_UUID,
        email=DEFAULT_EMAIL,
        first_name="Demo",
        preposition=None,
        last_name="User",
        client="/api/apprelation/client/1/",
        language="nl",
        client_uuid="10000000-0000-4000-8000-000000000001",
    )
    assert profile.unique_id == ACCOUNT_UUID
    assert profile.name == "Demo User"
    assert profile.can_click_to_dial is True
    request = simulator.requests[-1]
    assert request.endpoint == "profile"
    assert request.method == "GET"
    assert request.path == "/api/permission/systemuser/profile/"
    assert request.email == DEFAULT_EMAIL


async def test_get_profile_trailing_slash_base_url(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """A base URL with a trailing slash does not double the slash of the path."""
    client = make_client(base_url=f"{simulator.url}/")

    assert client.base_url == simulator.url
    assert (await client.get_profile()).id == "1"
    assert simulator.requests[-1].path == "/api/permission/systemuser/profile/"


async def test_get_profile_partner(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """A partner account has no client and so cannot click to dial."""
    simulator.add_account("partner@example.com", "ptoken", partner=True)

    profile = await make_client(
        email="partner@example.com", api_token="ptoken"
    ).get_profile()

    assert profile.client is None
    assert profile.can_click_to_dial is False
    assert profile.email == "partner@example.com"
    assert profile.unique_id == "00000000-0000-4000-8000-000000000002"


@pytest.mark.parametrize(
    ("data", "unique_id", "name"),
    [
        ({"id": 7, "uuid": "abc", "first_name": "A"}, "abc", "A"),
        ({"id": 7, "uuid": None}, "7", None),
        ({"id": 7, "uuid": ""}, "7", None),
        ({"id": "x7"}, "x7", None),
        (
            {"id": 7, "first_name": "Jan", "preposition": "van", "last_name": "Dijk"},
            "7",
            "Jan van Dijk",
        ),
        (
            {"id": 7, "first_name": " Jan ", "preposition": "", "last_name": "Dijk"},
            "7",
            "Jan Dijk",
        ),
        ({"id": 7, "first_name": "  ", "last_name": None}, "7", None),
        ({"id": 7, "last_name": "Dijk"}, "7", "Dijk"),
    ],
    ids=[
        "uuid",
        "null_uuid",
        "empty_uuid",
        "string_id",
        "preposition",
        "padded",
        "blank_name",
        "last_name_only",
    ],
)
async def test_profile_unique_id_and_name(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    *,
    data: dict[str, Any],
    unique_id: str,
    name: str | None,
) -> None:
    """The unique id is the uuid, else the id; the name joins the non-empty parts."""
    simulator.inject("profile", Fault.http(200, data))

    profile = await api_client.get_profile()

    assert profile.unique_id == unique_id
    assert profile.name == name


@pytest.mark.parametrize(
    ("client_value", "can_click_to_dial"),
    [(None, False), ("", False), ("/api/apprelation/client/7/", True), (7, True)],
    ids=["null", "empty", "uri", "number"],
)
async def test_profile_can_click_to_dial(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    client_value: object,
    can_click_to_dial: bool,
) -> None:
    """Only a profile with a client may start calls."""
    simulator.inject("profile", Fault.http(200, {"id": 7, "client": client_value}))

    assert (await api_client.get_profile()).can_click_to_dial is can_click_to_dial


# -- calls -----------------------------------------------------------------------------


async def test_start_call_minimal_body(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """Only b_number is sent when nothing else is given."""
    call = await api_client.start_call(B_NUMBER)

    request = simulator.requests[-1]
    assert request.endpoint == "start_call"
    assert request.method == "POST"
    assert request.path == "/api/clicktodial/"
    assert request.email == DEFAULT_EMAIL
    assert request.body == {"b_number": B_NUMBER}
    assert call.call_id in simulator.calls
    assert call.status is CallStatus.SETTING_UP
    assert call.raw_status is None
    assert call.status_unknown is False
    assert call.b_number == B_NUMBER
    assert call.a_number == "201"
    assert isinstance(call.created, datetime)
    assert call.created.tzinfo is not None


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        ({"a_number": "201"}, {"a_number": "201"}),
        ({"b_cli": DEFAULT_NUMBER}, {"b_cli": DEFAULT_NUMBER}),
        ({"b_cli": "+31508009000"}, {"b_cli": "+31508009000"}),
        ({"auto_answer": True}, {"auto_answer": True}),
        ({"auto_answer": False}, {"auto_answer": False}),
        (
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": False},
            {"a_number": "202", "b_cli": "+31508009000", "auto_answer": False},
        ),
    ],
    ids=[
        "a_number",
        "b_cli_default",
        "b_cli",
        "auto_answer_on",
        "auto_answer_off",
        "all",
    ],
)
async def test_start_call_optional_fields(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    kwargs: dict[str, Any],
    body: dict[str, Any],
) -> None:
    """Optional fields are sent only when given, False included."""
    call = await api_client.start_call(B_NUMBER, **kwargs)

    assert simulator.requests[-1].body == {"b_number": B_NUMBER, **body}
    assert simulator.calls[call.call_id].auto_answer == kwargs.get("auto_answer")
    if "a_number" in kwargs:
        assert call.a_number == kwargs["a_number"]


@pytest.mark.parametrize("post_status", [200, 201, 202])
async def test_start_call_any_2xx(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    post_status: int,
) -> None:
    """Any 2xx answer to the start of a call is a success."""
    simulator.post_status = post_status

    call = await api_client.start_call(B_NUMBER)

    assert call.call_id in simulator.calls


async def test_get_call(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The state of a started call is read back."""
    started = await api_client.start_call(B_NUMBER, a_number="203")

    call = await api_client.get_call(started.call_id)

    request = simulator.requests[-1]
    assert request.endpoint == "get_call"
    assert request.method == "GET"
    assert request.path == f"/api/clicktodial/{started.call_id}/"
    assert call.call_id == started.call_id
    assert call.b_number == B_NUMBER
    assert call.a_number == "203"
    assert call.created == started.created
    assert call.created is not None
    assert call.created.utcoffset() == timedelta(0)


async def test_get_call_follows_timeline(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The status read follows the platform's timeline of the call."""
    simulator.script_next_call(((0, None), (0.1, "dialing_a")))
    started = await api_client.start_call(B_NUMBER)
    assert started.status is CallStatus.SETTING_UP

    simulator.calls[started.call_id].started_at -= 1
    call = await api_client.get_call(started.call_id)

    assert call.status is CallStatus.DIALING_A
    assert call.raw_status == "dialing_a"


async def test_get_call_of_scenario_number(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The simulator's scenario by number ends in the failure it is named after."""
    started = await api_client.start_call("+31508009904")
    simulator.calls[started.call_id].started_at -= 5

    call = await api_client.get_call(started.call_id)

    assert call.status is CallStatus.BLACKLISTED
    assert call.status.is_terminal


@pytest.mark.parametrize(
    ("raw", "status", "raw_status"),
    [
        (None, CallStatus.SETTING_UP, None),
        ("", CallStatus.SETTING_UP, ""),
        ("dialing_a", CallStatus.DIALING_A, "dialing_a"),
        ("confirm", CallStatus.CONFIRM, "confirm"),
        ("dialing_b", CallStatus.DIALING_B, "dialing_b"),
        ("connected", CallStatus.CONNECTED, "connected"),
        ("disconnected", CallStatus.DISCONNECTED, "disconnected"),
        ("failed_a", CallStatus.FAILING_A, "failed_a"),
        ("failed_b", CallStatus.FAILING_B, "failed_b"),
        ("failing_a", CallStatus.FAILING_A, "failing_a"),
        ("failing_b", CallStatus.FAILING_B, "failing_b"),
        ("blacklisted", CallStatus.BLACKLISTED, "blacklisted"),
        ("ringing_somewhere", None, "ringing_somewhere"),
        ("setting_up", None, "setting_up"),
        (3, None, "3"),
        (True, None, "True"),
    ],
    ids=lambda value: repr(value) if not isinstance(value, CallStatus) else None,
)
async def test_call_status_from_platform(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    *,
    raw: Any,
    status: CallStatus | None,
    raw_status: str | None,
) -> None:
    """Every status the platform may send is normalised, the raw one kept."""
    simulator.script_next_call(((0, raw),))

    started = await api_client.start_call(B_NUMBER)
    call = await api_client.get_call(started.call_id)

    for result in (started, call):
        assert result.status is status
        assert result.raw_status == raw_status
        assert result.status_unknown is (status is None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, CallStatus.SETTING_UP),
        ("", CallStatus.SETTING_UP),
        ("failed_a", CallStatus.FAILING_A),
        ("failed_b", CallStatus.FAILING_B),
        ("failing_a", CallStatus.FAILING_A),
        ("FAILED_B", CallStatus.FAILING_B),
        (" Connected ", CallStatus.CONNECTED),
        ("confirm", CallStatus.CONFIRM),
        ("blacklisted", CallStatus.BLACKLISTED),
        ("setting_up", None),
        ("ringing_somewhere", None),
        ("   ", None),
        (0, None),
        (1, None),
        (False, None),
        (1.5, None),
        ([], None),
        ({}, None),
        (["connected"], None),
    ],
    ids=repr,
)
def test_parse_status(raw: object, expected: CallStatus | None) -> None:
    """Statuses are normalised; anything unknown is None."""
    assert parse_status(raw) is expected


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        (CallStatus.SETTING_UP, False),
        (CallStatus.DIALING_A, False),
        (CallStatus.CONFIRM, False),
        (CallStatus.DIALING_B, False),
        (CallStatus.CONNECTED, False),
        (CallStatus.DISCONNECTED, True),
        (CallStatus.FAILING_A, True),
        (CallStatus.FAILING_B, True),
        (CallStatus.BLACKLISTED, True),
    ],
)
def test_status_is_terminal(status: CallStatus, terminal: bool) -> None:
    """Only the end states are terminal."""
    assert status.is_terminal is terminal


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        ("2024-05-01T12:30:00Z", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        (
            "2024-05-01T12:30:00.250000+02:00",
            datetime(
                2024, 5, 1, 12, 30, 0, 250000, tzinfo=timezone(timedelta(hours=2))
            ),
        ),
        ("2024-05-01T12:30:00", datetime(2024, 5, 1, 12, 30)),
        ("yesterday", None),
        ("2024-13-01T00:00:00Z", None),
        ("", None),
        (None, None),
        (1714566600, None),
    ],
    ids=["z", "offset", "naive", "words", "bad_month", "empty", "null", "epoch"],
)
def test_call_created(created: object, expected: datetime | None) -> None:
    """The created timestamp is parsed when it is ISO 8601, else None."""
    call = Call.from_json({"callid": "1", "status": None, "created": created})

    assert call.created == expected
    if expected is not None:
        assert call.created is not None
        assert call.created.utcoffset() == expected.utcoffset()


def test_call_from_json_fields() -> None:
    """A numeric call id is a string; empty numbers are None."""
    call = Call.from_json(
        {"callid": 42, "status": "connected", "a_number": "", "b_number": "+3150"}
    )

    assert call == Call(
        call_id="42",
        status=CallStatus.CONNECTED,
        raw_status="connected",
        created=None,
        a_number=None,
        b_number="+3150",
    )


async def test_get_call_unknown(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """An unknown call id is not found."""
    with pytest.raises(VoipgridNotFoundError) as exc_info:
        await api_client.get_call("0000nope")

    assert simulator.requests[-1].path == "/api/clicktodial/0000nope/"
    assert_no_secret(exc_info.value)


async def test_get_call_of_other_account(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """The call of another account is not found."""
    simulator.add_account("other@example.com", "other-token")
    call = await make_client().start_call(B_NUMBER)

    with pytest.raises(VoipgridNotFoundError):
        await make_client(email="other@example.com", api_token="other-token").get_call(
            call.call_id
        )


# -- errors ----------------------------------------------------------------------------

type Request = Callable[[VoipgridClient], Awaitable[object]]

REQUESTS: dict[str, Request] = {
    "profile": lambda client: client.get_profile(),
    "start_call": lambda client: client.start_call(B_NUMBER),
    "get_call": lambda client: client.get_call("00010001c0ffee"),
}
endpoints = pytest.mark.parametrize("endpoint", list(REQUESTS))


@endpoints
@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            Fault.http(400, "Extensions or phonenumbers not valid"),
            "Extensions or phonenumbers not valid",
        ),
        (
            Fault.http(
                400,
                {"error": "User has no permission to provide a_number for ClickToDial"},
            ),
            "User has no permission to provide a_number for ClickToDial",
        ),
        (
            Fault.http(400, {"description": "b_cli must be a number you own"}),
            "b_cli must be a number you own",
        ),
        (Fault.http(400, {"detail": "Bad request."}), "Bad request."),
        (Fault.http(400, {"message": "No."}), "No."),
        (
            Fault.http(400, {"b_number": ["This field is required."]}),
            "b_number: This field is required.",
        ),
        (
            Fault.http(400, {"clicktodial": {"b_number": ["Enter a valid number."]}}),
            "b_number: Enter a valid number.",
        ),
        (
            Fault.http(400, {"a_number": ["Bad."], "b_number": ["Worse.", "Worst."]}),
            "a_number: Bad.; b_number: Worse.; Worst.",
        ),
        (
            Fault.http(400, ["First problem", "Second problem"]),
            "First problem; Second problem",
        ),
        (Fault.http(400, None), "The platform rejected the request"),
        (Fault.http(400, {}), "The platform rejected the request"),
        (Fault.http(400, ""), "The platform rejected the request"),
        (Fault(status=400, text=""), "The platform rejected the request"),
        (Fault(status=400, text="   "), "The platform rejected the request"),
        (Fault(status=400, text="Number not valid"), "Number not valid"),
        (Fault.malformed(400), "<html>Bad gateway</html>{"),
    ],
    ids=[
        "plain_string",
        "error",
        "description",
        "detail",
        "message",
        "field",
        "nested_field",
        "fields",
        "list",
        "null",
        "empty_object",
        "empty_string",
        "empty_body",
        "blank_body",
        "text_body",
        "malformed",
    ],
)
async def test_invalid_request(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    *,
    endpoint: str,
    fault: Fault,
    message: str,
) -> None:
    """A 400 answer carries the platform's own words, whatever the body's shape."""
    simulator.inject(endpoint, fault)

    with pytest.raises(VoipgridInvalidRequestError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert exc_info.value.message == message
    assert str(exc_info.value) == message
    assert simulator.requests[-1].endpoint == endpoint
    assert_no_secret(exc_info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"b_number": "call me"}, "Extensions or phonenumbers not valid"),
        ({"b_number": ""}, "b_number: This field is required."),
        ({"b_number": B_NUMBER, "a_number": "x"}, "a_number: Enter a valid number."),
        (
            {"b_number": B_NUMBER, "b_cli": "mine"},
            "b_cli must be a number you own or default_number",
        ),
    ],
    ids=["plain_string", "field", "nested_field", "description"],
)
async def test_invalid_call_rejected_by_platform(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    """The simulator's own validation answers reach the caller as they are."""
    with pytest.raises(VoipgridInvalidRequestError) as exc_info:
        await api_client.start_call(**kwargs)

    assert exc_info.value.message == message
    assert simulator.calls == {}


async def test_a_number_not_permitted(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    api_client: VoipgridClient,
) -> None:
    """An account that may not choose its A number gets the platform's error."""
    account.may_set_a_number = False

    with pytest.raises(VoipgridInvalidRequestError) as exc_info:
        await api_client.start_call(B_NUMBER, a_number="201")

    assert exc_info.value.message == (
        "User has no permission to provide a_number for ClickToDial"
    )


@endpoints
async def test_wrong_token(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory, endpoint: str
) -> None:
    """Wrong credentials are an authentication error with status 401."""
    client = make_client(api_token="wrong-token")

    with pytest.raises(VoipgridAuthenticationError) as exc_info:
        await REQUESTS[endpoint](client)

    assert exc_info.value.status == 401
    assert simulator.requests[-1].email is None
    assert "wrong-token" not in repr(exc_info.value)


async def test_revoked_token(
    hass: HomeAssistant, account: Account, api_client: VoipgridClient
) -> None:
    """A revoked token is an authentication error."""
    account.revoked = True

    with pytest.raises(VoipgridAuthenticationError) as exc_info:
        await api_client.get_profile()

    assert exc_info.value.status == 401
    assert_no_secret(exc_info.value)


async def test_partner_cannot_start_call(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """A partner account is refused permission (403) to start a call."""
    simulator.add_account("partner@example.com", "ptoken", partner=True)

    with pytest.raises(VoipgridAuthenticationError) as exc_info:
        await make_client(email="partner@example.com", api_token="ptoken").start_call(
            B_NUMBER
        )

    assert exc_info.value.status == 403


@endpoints
@pytest.mark.parametrize("status", [401, 403])
async def test_authentication_fault(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    endpoint: str,
    status: int,
) -> None:
    """401 and 403 are authentication errors that keep their status."""
    simulator.inject(endpoint, Fault.http(status, {"detail": "No."}))

    with pytest.raises(VoipgridAuthenticationError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert exc_info.value.status == status
    assert str(exc_info.value) == f"Authentication failed (HTTP {status})"
    assert_no_secret(exc_info.value)


@endpoints
async def test_not_found_fault(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient, endpoint: str
) -> None:
    """404 is a not-found error."""
    simulator.inject(endpoint, Fault.http(404, {"detail": "Not found."}))

    with pytest.raises(VoipgridNotFoundError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert_no_secret(exc_info.value)


@endpoints
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("30", 30.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (None, DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("-5", DEFAULT_RETRY_AFTER),
        ("Wed, 21 Oct 2015 07:28:00 GMT", DEFAULT_RETRY_AFTER),
    ],
    ids=["numeric", "zero", "fraction", "missing", "garbage", "negative", "http_date"],
)
async def test_rate_limited(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    *,
    endpoint: str,
    retry_after: str | None,
    expected: float,
) -> None:
    """429 is a rate-limit error with the seconds to wait (default 60)."""
    simulator.inject(endpoint, Fault.rate_limited(retry_after))

    with pytest.raises(VoipgridRateLimitError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert exc_info.value.retry_after == expected
    assert_no_secret(exc_info.value)


class HandClock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the time."""
        return self.now


async def test_rate_limit_pauses_every_request(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """After a 429, every request is refused unsent until Retry-After has passed."""
    clock = HandClock()
    client = make_client(clock=clock)
    simulator.inject("get_call", Fault.rate_limited("30"))
    with pytest.raises(VoipgridRateLimitError):
        await client.get_call("00010001c0ffee")
    sent = len(simulator.requests)

    clock.now += 10.5
    with pytest.raises(VoipgridRateLimitError) as exc_info:
        await client.get_profile()
    assert exc_info.value.retry_after == 20  # the seconds left, whole
    simulator.inject("get_destinations", Fault.rate_limited("5"))
    clock.now += 19
    with pytest.raises(VoipgridRateLimitError) as exc_info:
        await client.get_destinations()
    assert exc_info.value.retry_after == 1
    assert client.rate_limit.paused_for() == pytest.approx(0.5)
    assert len(simulator.requests) == sent

    clock.now += 0.5
    assert (await client.get_profile()).email == DEFAULT_EMAIL
    assert len(simulator.requests) == sent + 1


async def test_shorter_retry_after_keeps_the_pause(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """A 429 asking for less time than the pause running does not shorten it."""
    clock = HandClock()
    client = make_client(clock=clock)
    simulator.inject("start_call", Fault.rate_limited("60"))
    simulator.inject("start_call", Fault.rate_limited("5"))
    for _ in range(2):
        with pytest.raises(VoipgridRateLimitError):
            await client.start_call(B_NUMBER, despite_pause=True)

    assert client.rate_limit.paused_for() == 60


async def test_request_despite_the_pause(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """A request sent despite the pause goes out; the pause still holds the others."""
    clock = HandClock()
    client = make_client(clock=clock)
    simulator.inject("get_call", Fault.rate_limited("30"))
    with pytest.raises(VoipgridRateLimitError):
        await client.get_call("00010001c0ffee")

    call = await client.start_call(B_NUMBER, despite_pause=True)
    await client.set_destination("9", phoneaccount="102", despite_pause=True)

    assert call.call_id
    assert simulator.count("start_call") == simulator.count("set_destination") == 1
    with pytest.raises(VoipgridRateLimitError):
        await client.start_call(B_NUMBER)
    assert simulator.count("start_call") == 1


@endpoints
@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(500, {"detail": "Server error"}),
        Fault.http(502),
        Fault.http(503, headers={"Retry-After": "10"}),
        Fault.malformed(500),
        Fault.http(302, headers={"Location": "/login/"}),
        Fault.http(418, "I'm a teapot"),
        Fault.malformed(),
        Fault(status=200, text=""),
        Fault.http(200, None),
        Fault.http(200, ["not", "an", "object"]),
        Fault.http(200, "a string"),
        Fault.http(200, 42),
    ],
    ids=[
        "500",
        "502",
        "503",
        "500_malformed",
        "redirect",
        "418",
        "malformed_json",
        "empty_body",
        "null",
        "list",
        "string",
        "number",
    ],
)
async def test_response_error(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    endpoint: str,
    fault: Fault,
) -> None:
    """Server errors and answers that are no usable JSON object are response errors."""
    simulator.inject(endpoint, fault)

    with pytest.raises(VoipgridResponseError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert_no_secret(exc_info.value)


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("profile", {"uuid": ACCOUNT_UUID, "email": DEFAULT_EMAIL}),
        ("profile", {"id": None, "uuid": ACCOUNT_UUID}),
        ("profile", {"id": ""}),
        ("start_call", {"status": None, "b_number": B_NUMBER}),
        ("start_call", {"callid": "", "status": None}),
        ("start_call", {"callid": None}),
        ("start_call", {"callid": ["1"]}),
        ("get_call", {"status": "connected"}),
        ("get_call", {"callid": {"id": 1}}),
    ],
    ids=[
        "profile_without_id",
        "profile_null_id",
        "profile_empty_id",
        "call_without_callid",
        "call_empty_callid",
        "call_null_callid",
        "call_list_callid",
        "get_call_without_callid",
        "get_call_object_callid",
    ],
)
async def test_wrong_shape(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    endpoint: str,
    body: dict[str, Any],
) -> None:
    """Objects without the fields the client needs are response errors."""
    simulator.inject(endpoint, Fault.http(200, body))

    with pytest.raises(VoipgridResponseError):
        await REQUESTS[endpoint](api_client)


@endpoints
async def test_timeout(
    hass: HomeAssistant,
    simulator: Simulator,
    make_client: ClientFactory,
    freezer: FrozenDateTimeFactory,
    endpoint: str,
) -> None:
    """An answer slower than the request timeout is a connection error.

    In moved time: the request is on its way however long it took to arrive, and only
    moved time makes it late.
    """
    client = make_client(request_timeout=0.2)
    answer = asyncio.Event()
    simulator.inject(endpoint, Fault.held(answer))
    clock = FrozenClock(hass, freezer)
    request = asyncio.ensure_future(REQUESTS[endpoint](client))
    await simulator.received(endpoint)

    clock.move(0.15)
    await asyncio.sleep(0)
    assert not request.done()
    clock.move(0.1)
    assert await turns_until(request.done)
    answer.set()  # too late
    with pytest.raises(VoipgridConnectionError) as exc_info:
        await request

    assert str(exc_info.value) == "Timeout while talking to the platform"
    assert_no_secret(exc_info.value)


async def test_slow_within_timeout(
    hass: HomeAssistant,
    simulator: Simulator,
    make_client: ClientFactory,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A slow answer within the request timeout is used (in moved time)."""
    client = make_client(request_timeout=2)
    simulator.inject("profile", Fault.slow(1.5))
    request = asyncio.ensure_future(client.get_profile())
    await simulator.received("profile")

    FrozenClock(hass, freezer).move(1.6)

    assert (await request).unique_id == ACCOUNT_UUID


@pytest.mark.parametrize(
    ("endpoint", "attempts"),
    [("profile", 2), ("start_call", 1), ("get_call", 2)],
)
async def test_connection_reset(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    endpoint: str,
    attempts: int,
) -> None:
    """A dropped connection is a connection error.

    aiohttp sends an idempotent GET once more on a fresh connection, never a POST.
    """
    simulator.inject(endpoint, Fault.connection_reset(), times=2)

    with pytest.raises(VoipgridConnectionError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert simulator.count(endpoint) == attempts
    assert simulator.calls == {}
    assert str(exc_info.value).startswith("Cannot reach the platform (")
    assert exc_info.value.__cause__ is None
    assert_no_secret(exc_info.value)


async def test_connection_reset_once_on_get(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A single dropped GET is sent again by aiohttp and succeeds."""
    simulator.inject("profile", Fault.connection_reset())

    assert (await api_client.get_profile()).unique_id == ACCOUNT_UUID
    assert simulator.count("profile") == 2


@endpoints
async def test_connection_refused(
    hass: HomeAssistant, make_client: ClientFactory, endpoint: str
) -> None:
    """Nothing listening at the URL is a connection error."""
    client = make_client(base_url=f"http://127.0.0.1:{unused_port()}")

    with pytest.raises(VoipgridConnectionError) as exc_info:
        await REQUESTS[endpoint](client)

    assert str(exc_info.value).startswith("Cannot reach the platform (")
    assert_no_secret(exc_info.value)


async def test_base_url_with_credentials(
    hass: HomeAssistant, simulator: Simulator, make_client: ClientFactory
) -> None:
    """A base URL with credentials in it is refused before anything is sent."""
    port = simulator.url.rsplit(":", 1)[1]
    with pytest.raises(ValueError, match="credentials"):
        make_client(base_url=f"http://:secret@127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("email", "api_token"),
    [
        ("", DEFAULT_TOKEN),
        (DEFAULT_EMAIL, ""),
        (f"{DEFAULT_EMAIL}\r\nX-Injected: 1", DEFAULT_TOKEN),
        (DEFAULT_EMAIL, f"{DEFAULT_TOKEN}\x00"),
        (DEFAULT_EMAIL, f"{DEFAULT_TOKEN}\t"),
        (DEFAULT_EMAIL, f"{DEFAULT_TOKEN}\x7f"),
        (f"{DEFAULT_EMAIL}\x1f", DEFAULT_TOKEN),
        (DEFAULT_EMAIL, f"{DEFAULT_TOKEN}\udc80"),
    ],
    ids=[
        "no_email",
        "no_token",
        "crlf",
        "nul",
        "tab",
        "delete",
        "unit_separator",
        "surrogate",
    ],
)
async def test_credentials_that_cannot_be_sent(
    hass: HomeAssistant,
    simulator: Simulator,
    make_client: ClientFactory,
    email: str,
    api_token: str,
) -> None:
    """An empty credential, or one a header cannot carry, is refused before sending."""
    with pytest.raises(VoipgridCredentialsError) as exc_info:
        make_client(email=email, api_token=api_token)

    assert isinstance(exc_info.value, ValueError)
    assert_no_secret(exc_info.value)
    assert simulator.count() == 0


@pytest.mark.parametrize("character", ["é", "\x85", "\u2028", "\U0001f600", " "])
async def test_credentials_other_characters_are_sent(
    hass: HomeAssistant,
    simulator: Simulator,
    make_client: ClientFactory,
    character: str,
) -> None:
    """Other characters are not this client's to judge: the platform refuses them."""
    client = make_client(api_token=f"{DEFAULT_TOKEN[:2]}{character}{DEFAULT_TOKEN[2:]}")

    with pytest.raises(VoipgridAuthenticationError):
        await client.get_profile()
    assert simulator.count("profile") == 1


async def test_fault_is_served_once(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """After an injected fault the next request is answered normally."""
    simulator.inject("profile", Fault.http(500))

    with pytest.raises(VoipgridResponseError):
        await api_client.get_profile()
    assert (await api_client.get_profile()).unique_id == ACCOUNT_UUID
    assert simulator.count("profile") == 2


def test_errors_share_a_base() -> None:
    """Every error of the client, and no number error, is a VoipgridError."""
    for error in (
        VoipgridConnectionError,
        VoipgridAuthenticationError,
        VoipgridCredentialsError,
        VoipgridRateLimitError,
        VoipgridInvalidRequestError,
        VoipgridNotFoundError,
        VoipgridResponseError,
    ):
        assert issubclass(error, VoipgridError)
    assert not issubclass(InvalidNumberError, VoipgridError)
    assert issubclass(InvalidNumberError, ValueError)


async def test_client_repr_hides_token(
    hass: HomeAssistant, session: aiohttp.ClientSession
) -> None:
    """The client describes itself without its credentials."""
    client = VoipgridClient(
        session,
        base_url="https://api.voipgrid.nl/",
        email=DEFAULT_EMAIL,
        api_token=DEFAULT_TOKEN,
    )

    assert repr(client) == "VoipgridClient(base_url='https://api.voipgrid.nl')"
    assert DEFAULT_TOKEN not in str(client)


def test_rate_limit_error_message() -> None:
    """The rate-limit error says how long to wait."""
    err = VoipgridRateLimitError(30.0)

    assert str(err) == "Rate limited, retry after 30 s"
    assert err.retry_after == 30.0


# -- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+31508009899", "+31508009899"),
        ("+31 50 800 9899", "+31508009899"),
        ("+31.50.800.9899", "+31508009899"),
        ("+31-50-800-9899", "+31508009899"),
        ("(050) 800 9899", "0508009899"),
        ("+31 (0)50 800 9000", "+31508009000"),
        ("+31(0)508009000", "+31508009000"),
        ("+1 (0) 555 0100", "+15550100"),
        ("(+31) 50 800 9899", "+31508009899"),
        ("0031508009899", "+31508009899"),
        ("00 31 50 800 9899", "+31508009899"),
        ("0508009899", "0508009899"),
        ("050-800 98.99", "0508009899"),
        ("  0508009899\t", "0508009899"),
        ("+31\u00a0508009899", "+31508009899"),
        ("012", "012"),
        ("012345678901234", "012345678901234"),
        ("+12", "+12"),
        ("+123456789012345", "+123456789012345"),
        ("1", "1"),
        ("202", "202"),
        ("1234567890", "1234567890"),
        ("2 0 2", "202"),
    ],
    ids=[
        "e164",
        "spaces",
        "dots",
        "dashes",
        "parentheses",
        "trunk_prefix",
        "trunk_prefix_no_spaces",
        "trunk_prefix_one_digit_country",
        "parenthesised_country",
        "00",
        "00_spaces",
        "national",
        "mixed_separators",
        "padded",
        "nbsp",
        "shortest_national",
        "longest_national",
        "shortest_e164",
        "longest_e164",
        "one_digit_extension",
        "extension",
        "ten_digit_extension",
        "spaced_extension",
    ],
)
def test_clean_number(value: str, expected: str) -> None:
    """Numbers are cleaned up the way the platform's own clients do."""
    assert clean_number(value) == expected
    assert clean_number(value, allow_default_number=True) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tel:+31508009899", "+31508009899"),
        ("TEL:0508009899", "0508009899"),
        ("0(0)123", "+123"),
        ("0(0)31508009899", "+31508009899"),
    ],
)
def test_clean_number_tel_and_late_00(value: str, expected: str) -> None:
    """A tel: URI is a number; 00 revealed by dropping parentheses is still +."""
    assert clean_number(value) == expected
    assert clean_number(expected) == expected  # cleaning again changes nothing


def test_clean_number_00_with_trunk_prefix() -> None:
    """``0031(0)50`` is the same number as ``+31(0)50``."""
    assert clean_number("0031 (0)50 800 9000") == "+31508009000"


@pytest.mark.parametrize(
    "value",
    [
        "default_number",
        " default_number ",
    ],
)
def test_clean_number_default_number(value: str) -> None:
    """default_number is kept only when allowed."""
    assert clean_number(value, allow_default_number=True) == DEFAULT_NUMBER
    with pytest.raises(InvalidNumberError):
        clean_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "+31 50 CALL ME",
        "0508009899x",
        "",
        "   ",
        "+",
        "00",
        "++31508009899",
        "+1",
        "+1234567890123456",
        "0123456789012345",
        "01",
        "0",
        "12345678901",
        "31+508009899",
        "\uff10\uff15\uff10\uff18",
        "Default_Number",
        None,
        123,
        1.5,
        [],
        ["0508009899"],
        b"0508009899",
    ],
    ids=[
        "letters",
        "words",
        "suffix",
        "empty",
        "blank",
        "lone_plus",
        "lone_00",
        "double_plus",
        "e164_too_short",
        "e164_too_long",
        "national_too_long",
        "national_too_short",
        "zero",
        "extension_too_long",
        "plus_inside",
        "fullwidth_digits",
        "default_number_case",
        "none",
        "int",
        "float",
        "empty_list",
        "list",
        "bytes",
    ],
)
def test_clean_number_invalid(value: object) -> None:
    """Anything that is not a number or an extension is refused."""
    with pytest.raises(InvalidNumberError):
        clean_number(value)
    with pytest.raises(InvalidNumberError):
        clean_number(value, allow_default_number=True)


@pytest.mark.parametrize(
    ("number", "country", "expected"),
    [
        ("0508009899", "NL", "+31508009899"),
        ("0508009899", "BE", "+32508009899"),
        ("03012345678", "DE", "+493012345678"),
        ("02079460000", "GB", "+442079460000"),
        ("0123456789", "FR", "+33123456789"),
        ("012345678", "AT", "+4312345678"),
        ("0441234567", "CH", "+41441234567"),
        ("081234567", "SE", "+4681234567"),
        ("012345678", "IE", "+35312345678"),
        ("0211234567", "ZA", "+27211234567"),
        ("0612345678", "IT", "+390612345678"),
        ("0549123456", "SM", "+3780549123456"),
        ("0508009899", None, "0508009899"),
        ("912345678", "ES", "912345678"),
        ("0508009899", "ES", "0508009899"),
        ("0508009899", "US", "0508009899"),
        ("+31508009899", "NL", "+31508009899"),
        ("+31508009899", None, "+31508009899"),
        ("202", "NL", "202"),
        ("1234567890", "NL", "1234567890"),
    ],
    ids=[
        "nl",
        "be",
        "de",
        "gb",
        "fr",
        "at",
        "ch",
        "se",
        "ie",
        "za",
        "it_keeps_zero",
        "sm_keeps_zero",
        "no_country",
        "es_no_trunk_prefix",
        "es_zero",
        "us_trunk_prefix_1",
        "international",
        "international_no_country",
        "extension",
        "long_extension",
    ],
)
def test_number_key(number: str, country: str | None, expected: str) -> None:
    """A national number takes the country's calling code; other numbers stay."""
    assert number_key(number, country) == expected


@pytest.mark.parametrize(
    ("first", "second", "country", "same"),
    [
        ("050 800 9899", "+31 (0)50 800 9899", "NL", True),
        ("050 800 9899", "0031 50 800 9899", "NL", True),
        ("050-800-9899", "+31508009899", "NL", True),
        ("050 800 9899", "+31 (0)50 800 9899", None, False),
        ("050 800 9899", "+31 (0)50 800 9899", "BE", False),
        ("050 800 9899", "050.800.9899", None, True),
        ("+31 50 800 9899", "0031508009899", None, True),
        ("06 1234 5678", "+39 06 1234 5678", "IT", True),
        ("050 800 9899", "+31 50 800 9898", "NL", False),
    ],
    ids=[
        "trunk_prefix_in_parentheses",
        "00",
        "separators",
        "no_country",
        "other_country",
        "same_national_no_country",
        "same_international_no_country",
        "italy",
        "other_number",
    ],
)
def test_same_number(first: str, second: str, country: str | None, same: bool) -> None:
    """Numbers written differently are the same once cleaned and keyed."""
    first_key = number_key(clean_number(first), country)
    second_key = number_key(clean_number(second), country)
    assert (first_key == second_key) is same


# -- helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  padded  ", "padded"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ([], ""),
        (["a", "", None, "b"], "a; b"),
        ([["nested"], {"error": "object"}], "nested; object"),
        ({"error": ["one", "two"]}, "one; two"),
        ({"error": "first", "description": "second"}, "first"),
        ({"description": "second", "detail": "third"}, "second"),
        ({"detail": "third", "message": "fourth"}, "third"),
        ({"b_number": []}, ""),
        ({"b_number": [], "a_number": ["bad"]}, "a_number: bad"),
        ({"b_number": "bad"}, "b_number: bad"),
        ({"b_number": None}, ""),
        ({"outer": {"inner": {"b_number": ["deep"]}}}, "b_number: deep"),
        ({"clicktodial": {"error": "wrapped"}}, "wrapped"),
        ({"count": 3}, "count: 3"),
    ],
    ids=[
        "padded",
        "empty",
        "none",
        "number",
        "empty_list",
        "list_skips_empty",
        "nested_list",
        "error_list",
        "error_first",
        "description_before_detail",
        "detail_before_message",
        "empty_field",
        "skips_empty_field",
        "field_string",
        "field_none",
        "deep",
        "wrapped_error",
        "field_number",
    ],
)
def test_error_message(body: object, expected: str) -> None:
    """The platform's words are found in every shape of 400 body."""
    assert error_message(body) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", 30.0),
        (" 30 ", 30.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("120", 120.0),
        (None, DEFAULT_RETRY_AFTER),
        ("", DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("-1", DEFAULT_RETRY_AFTER),
        ("-0.5", DEFAULT_RETRY_AFTER),
        ("nan", DEFAULT_RETRY_AFTER),
        ("Wed, 21 Oct 2015 07:28:00 GMT", DEFAULT_RETRY_AFTER),
    ],
    ids=[
        "seconds",
        "padded",
        "zero",
        "fraction",
        "minutes",
        "missing",
        "empty",
        "garbage",
        "negative",
        "negative_fraction",
        "nan",
        "http_date",
    ],
)
def test_retry_after_seconds(header: str | None, expected: float) -> None:
    """Retry-After is honoured when it is a non-negative number, else 60 s."""
    assert retry_after_seconds(header) == expected


@pytest.mark.parametrize("header", ["inf", "Infinity", "1e400"])
def test_retry_after_seconds_infinite(header: str) -> None:
    """An infinite Retry-After is not honoured."""
    assert math.isfinite(retry_after_seconds(header))
