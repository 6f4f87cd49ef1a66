"""Tests of the client's "which phone rings" requests against the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import copy
import json
from typing import Any

import aiohttp
import pytest

from custom_components.clicktodial.voipgrid import (
    Destination,
    DestinationKind,
    Destinations,
    SelectedDestination,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridConnectionError,
    VoipgridInvalidRequestError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from homeassistant.core import HomeAssistant
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Account, Fault, Simulator

DESK = Destination(
    id="101", kind=DestinationKind.PHONE_ACCOUNT, number="201", description="Desk"
)
SOFTPHONE = Destination(
    id="102", kind=DestinationKind.PHONE_ACCOUNT, number="202", description="Softphone"
)
MOBILE = Destination(
    id="55",
    kind=DestinationKind.FIXED_DESTINATION,
    number="+31612345678",
    description="Mobile",
)
# The example answer of the platform's documentation.
EXAMPLE = {
    "objects": [
        {
            "id": 7,
            "internal_number": 201,
            "fixeddestinations": [
                {"id": 55, "phonenumber": "+31612345678", "description": "Mobile"}
            ],
            "phoneaccounts": [
                {
                    "id": 101,
                    "account_id": 150010001,
                    "internal_number": 201,
                    "description": "Desk",
                }
            ],
            "selecteduserdestination": {
                "id": 9,
                "fixeddestination": None,
                "phoneaccount": 101,
            },
        }
    ]
}

type Request = Callable[[VoipgridClient], Awaitable[object]]
REQUESTS: dict[str, Request] = {
    "get_destinations": lambda client: client.get_destinations(),
    "set_destination": lambda client: client.set_destination("9", phoneaccount="102"),
}
endpoints = pytest.mark.parametrize("endpoint", list(REQUESTS))


def with_user(**changes: Any) -> dict[str, Any]:
    """Return the documentation's example answer with fields of the user changed."""
    body = copy.deepcopy(EXAMPLE)
    body["objects"][0].update(changes)
    return body


# -- reading -----------------------------------------------------------------------------


async def test_get_destinations(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The demo account has two phone accounts and a mobile; the desk phone rings."""
    destinations = await api_client.get_destinations()

    assert destinations == Destinations(
        phone_accounts=(DESK, SOFTPHONE),
        fixed_destinations=(MOBILE,),
        selected=SelectedDestination(id="9", phoneaccount="101"),
    )
    assert destinations.all == (DESK, SOFTPHONE, MOBILE)
    request = simulator.requests[-1]
    assert request.endpoint == "get_destinations"
    assert request.method == "GET"
    assert request.path == "/api/userdestination/"
    assert request.email == DEFAULT_EMAIL


async def test_documented_example(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The example answer of the documentation is read as it says."""
    simulator.inject("get_destinations", Fault.http(200, EXAMPLE))

    destinations = await api_client.get_destinations()

    assert destinations.phone_accounts == (DESK,)
    assert destinations.fixed_destinations == (MOBILE,)
    assert destinations.selected == SelectedDestination(id="9", phoneaccount="101")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Ids as strings are the same ids.
        (
            {
                "phoneaccounts": [
                    {"id": "101", "internal_number": "201", "description": "Desk"}
                ],
                "selecteduserdestination": {
                    "id": "9",
                    "phoneaccount": "101",
                    "fixeddestination": None,
                },
            },
            Destinations(
                phone_accounts=(DESK,),
                fixed_destinations=(MOBILE,),
                selected=SelectedDestination(id="9", phoneaccount="101"),
            ),
        ),
        # Nobody rings: not available; no lists at all.
        (
            {
                "phoneaccounts": None,
                "fixeddestinations": [],
                "selecteduserdestination": {
                    "id": 9,
                    "phoneaccount": None,
                    "fixeddestination": None,
                },
            },
            Destinations(
                phone_accounts=(),
                fixed_destinations=(),
                selected=SelectedDestination(id="9"),
            ),
        ),
        # A fixed destination is selected; its number lacks the "+", a national one
        # and a short one keep theirs; descriptions may be missing or blank.
        (
            {
                "fixeddestinations": [
                    {"id": 55, "phonenumber": "31612345678", "description": " Mobile "},
                    {"id": 56, "phonenumber": "0612345678", "description": ""},
                    {"id": 57, "phonenumber": "1234567"},
                    {"id": 58, "phonenumber": None, "description": "Nothing"},
                ],
                "selecteduserdestination": {
                    "id": 9,
                    "phoneaccount": None,
                    "fixeddestination": "56",
                },
            },
            Destinations(
                phone_accounts=(DESK,),
                fixed_destinations=(
                    MOBILE,
                    Destination(
                        id="56",
                        kind=DestinationKind.FIXED_DESTINATION,
                        number="0612345678",
                        description=None,
                    ),
                    Destination(
                        id="57",
                        kind=DestinationKind.FIXED_DESTINATION,
                        number="1234567",
                        description=None,
                    ),
                    Destination(
                        id="58",
                        kind=DestinationKind.FIXED_DESTINATION,
                        number=None,
                        description="Nothing",
                    ),
                ),
                selected=SelectedDestination(id="9", fixeddestination="56"),
            ),
        ),
    ],
    ids=["string_ids", "not_available", "fixed_selected"],
)
async def test_destination_shapes(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    changes: dict[str, Any],
    expected: Destinations,
) -> None:
    """Every plausible spelling of ids, numbers and descriptions is read."""
    simulator.inject("get_destinations", Fault.http(200, with_user(**changes)))

    assert await api_client.get_destinations() == expected


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"objects": []},
        {"objects": None},
        {"objects": ["user"]},
        {"objects": [{"phoneaccounts": []}]},
        with_user(selecteduserdestination=None),
        with_user(selecteduserdestination={"phoneaccount": 101}),
        with_user(selecteduserdestination={"id": "", "phoneaccount": 101}),
        with_user(selecteduserdestination={"id": True}),
        with_user(selecteduserdestination={"id": 9, "phoneaccount": [101]}),
        with_user(
            selecteduserdestination={
                "id": 9,
                "phoneaccount": 101,
                "fixeddestination": 55,
            }
        ),
        with_user(phoneaccounts={"id": 101}),
        with_user(phoneaccounts=["Desk"]),
        with_user(fixeddestinations=[{"phonenumber": "+31612345678"}]),
        with_user(fixeddestinations=[{"id": 1.5}]),
    ],
    ids=[
        "null",
        "list",
        "no_objects",
        "objects_null",
        "user_not_object",
        "no_selection",
        "selection_null",
        "selection_without_id",
        "selection_empty_id",
        "selection_bool_id",
        "selection_list_id",
        "two_selected",
        "phoneaccounts_not_list",
        "phoneaccount_not_object",
        "fixed_without_id",
        "fixed_float_id",
    ],
)
async def test_wrong_shape(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient, body: Any
) -> None:
    """An answer that does not describe the destinations is a response error."""
    simulator.inject("get_destinations", Fault.http(200, body))

    with pytest.raises(VoipgridResponseError):
        await api_client.get_destinations()


async def test_malformed_answer(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A read that is no JSON is a response error."""
    simulator.inject("get_destinations", Fault.malformed())

    with pytest.raises(VoipgridResponseError):
        await api_client.get_destinations()


# -- choosing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "body", "selected"),
    [
        ({"phoneaccount": "102"}, {"phoneaccount": 102, "fixeddestination": None}, 102),
        (
            {"fixeddestination": "55"},
            {"phoneaccount": None, "fixeddestination": 55},
            55,
        ),
        ({}, {"phoneaccount": None, "fixeddestination": None}, None),
    ],
    ids=["phone_account", "fixed_destination", "not_available"],
)
async def test_set_destination(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    api_client: VoipgridClient,
    choice: dict[str, str],
    body: dict[str, Any],
    selected: int | None,
) -> None:
    """A choice is sent with exactly one id set (none: not available) and is kept."""
    await api_client.set_destination("9", **choice)

    request = simulator.requests[-1]
    assert request.endpoint == "set_destination"
    assert request.method == "PUT"
    assert request.path == "/api/selecteduserdestination/9/"
    assert request.email == DEFAULT_EMAIL
    assert request.body == body
    assert json.dumps(request.body) == json.dumps(body)  # same keys, numbers as numbers
    after = (await api_client.get_destinations()).selected
    assert (account.selected_phoneaccount, account.selected_fixeddestination) == (
        body["phoneaccount"],
        body["fixeddestination"],
    )
    assert after.phoneaccount == (str(selected) if "phoneaccount" in choice else None)
    assert after.fixeddestination == (
        str(selected) if "fixeddestination" in choice else None
    )


async def test_set_destination_keeps_string_ids(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """An id that is no plain number is sent as the platform gave it; the path is quoted."""
    simulator.inject("set_destination", Fault.http(204))

    await api_client.set_destination("a/b", fixeddestination="0055")

    # Recorded at all: the simulator's route takes the id as one path segment only.
    request = simulator.requests[-1]
    assert request.path == "/api/selecteduserdestination/a/b/"  # as decoded
    assert request.body == {"phoneaccount": None, "fixeddestination": "0055"}


async def test_set_destination_not_both(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A phone account and a fixed destination at once is refused before sending."""
    with pytest.raises(ValueError, match="not both"):
        await api_client.set_destination("9", phoneaccount="101", fixeddestination="55")

    assert simulator.count("set_destination") == 0


@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(200, {"id": 9}),
        Fault.http(201),
        Fault.http(202, "accepted"),
        Fault(status=204, text=""),
        Fault.malformed(200),
    ],
    ids=["200", "201_null", "202_string", "204_empty", "200_malformed"],
)
async def test_set_destination_any_2xx(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient, fault: Fault
) -> None:
    """Any 2xx answer to a choice is success, whatever its body."""
    simulator.inject("set_destination", fault)

    assert await api_client.set_destination("9", phoneaccount="101") is None


async def test_set_destination_refused_by_platform(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A destination the user does not have is refused in the platform's words."""
    with pytest.raises(VoipgridInvalidRequestError) as exc_info:
        await api_client.set_destination("9", phoneaccount="999")

    assert exc_info.value.message == (
        'phoneaccount: Invalid pk "999" - object does not exist.'
    )


async def test_set_destination_of_other_selection(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """Another user's selection is not found."""
    with pytest.raises(VoipgridNotFoundError):
        await api_client.set_destination("10", phoneaccount="101")


@endpoints
async def test_partner_account_forbidden(
    hass: HomeAssistant, account: Account, api_client: VoipgridClient, endpoint: str
) -> None:
    """A partner account has no destinations: 403."""
    account.partner = True

    with pytest.raises(VoipgridAuthenticationError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert exc_info.value.status == 403


# -- errors of both requests ---------------------------------------------------------------


@endpoints
@pytest.mark.parametrize(
    ("fault", "error", "check"),
    [
        (
            Fault.http(400, {"error": "Not allowed now"}),
            VoipgridInvalidRequestError,
            lambda err: err.message == "Not allowed now",
        ),
        (
            Fault.http(401, {"detail": "No."}),
            VoipgridAuthenticationError,
            lambda err: err.status == 401,
        ),
        (
            Fault.http(403, {"detail": "No."}),
            VoipgridAuthenticationError,
            lambda err: err.status == 403,
        ),
        (Fault.http(404, {"detail": "Not found."}), VoipgridNotFoundError, None),
        (
            Fault.rate_limited("42"),
            VoipgridRateLimitError,
            lambda err: err.retry_after == 42,
        ),
        (Fault.http(500, {"detail": "Server error"}), VoipgridResponseError, None),
    ],
    ids=["400", "401", "403", "404", "429", "500"],
)
async def test_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    endpoint: str,
    fault: Fault,
    error: type[Exception],
    check: Callable[[Any], bool] | None,
) -> None:
    """Both requests map the platform's errors like every other request."""
    simulator.inject(endpoint, fault, times=2)  # aiohttp resends a dropped GET or PUT

    with pytest.raises(error) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert check is None or check(exc_info.value)
    assert simulator.requests[-1].endpoint == endpoint
    for text in (str(exc_info.value), repr(exc_info.value)):
        assert DEFAULT_TOKEN not in text


@endpoints
async def test_wrong_token(
    hass: HomeAssistant, account: Account, api_client: VoipgridClient, endpoint: str
) -> None:
    """A revoked token is a 401 on both requests."""
    account.revoked = True

    with pytest.raises(VoipgridAuthenticationError) as exc_info:
        await REQUESTS[endpoint](api_client)

    assert exc_info.value.status == 401


@endpoints
async def test_dropped_connection(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient, endpoint: str
) -> None:
    """A connection dropped twice is a connection error."""
    simulator.inject(endpoint, Fault.connection_reset(), times=2)

    with pytest.raises(VoipgridConnectionError):
        await REQUESTS[endpoint](api_client)


@endpoints
async def test_timeout(
    hass: HomeAssistant, simulator: Simulator, socket_enabled: None, endpoint: str
) -> None:
    """An answer slower than the request timeout is a connection error."""
    simulator.inject(endpoint, Fault.slow(1))
    async with aiohttp.ClientSession() as session:
        client = VoipgridClient(
            session,
            base_url=simulator.url,
            email=DEFAULT_EMAIL,
            api_token=DEFAULT_TOKEN,
            request_timeout=0.2,
        )
        with pytest.raises(VoipgridConnectionError):
            await REQUESTS[endpoint](client)
