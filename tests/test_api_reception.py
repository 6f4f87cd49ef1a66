"""Tests of the client's reception desk requests against the simulator over real HTTP.

Call queues, caller-ID numbers and stopping a call, with the platform's answers as public
clients show them and the odd answers a platform may give.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from custom_components.clicktodial.voipgrid import (
    CallerIdNumber,
    CallQueue,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridInvalidRequestError,
    VoipgridNotAllowedError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from homeassistant.core import HomeAssistant
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Account, Fault, Simulator
from simulator.__main__ import parse_queue_args, queue

CLIENT_UUID = "10000000-0000-4000-8000-000000000001"
SALES = CallQueue(id="11", description="Sales", internal_number="801", waiting=0)
SUPPORT = CallQueue(id="12", description="Support", internal_number="802", waiting=0)


@pytest.fixture
async def client(
    simulator: Simulator, socket_enabled: None
) -> AsyncGenerator[VoipgridClient]:
    """Return a client of the simulator's default account."""
    async with aiohttp.ClientSession() as session:
        yield VoipgridClient(
            session,
            base_url=simulator.url,
            email=DEFAULT_EMAIL,
            api_token=DEFAULT_TOKEN,
        )


# -- call queues -------------------------------------------------------------------------


async def test_call_queues(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """The company's queues, each with how many callers wait (sent as a string)."""
    simulator.queues.add("sales", 3)

    queues, complete = await client.get_call_queues()

    assert queues == {"11": replace(SALES, waiting=3), "12": SUPPORT}
    assert complete is True
    request = simulator.requests[-1]
    assert (request.endpoint, request.method, request.path) == (
        "queues",
        "GET",
        "/api/queuecallgroup/",
    )


async def test_call_queue_pages(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """Pages are read to the end; a list cut off after its last page is incomplete."""
    simulator.queues.queues.append(
        {"id": 13, "description": "Night", "internal_number": 803, "waiting": 1}
    )

    queues, complete = await client.get_call_queues(limit=2)
    assert list(queues) == ["11", "12", "13"]
    assert complete is True
    assert simulator.count("queues") == 2

    queues, complete = await client.get_call_queues(limit=1, max_pages=2)
    assert list(queues) == ["11", "12"]
    assert complete is False


@pytest.mark.parametrize(
    ("record", "queue"),
    [
        (
            {
                "id": 5,
                "description": " Sales ",
                "internal_number": 801,
                "queue_size": 2,
            },
            CallQueue(id="5", description="Sales", internal_number="801", waiting=2),
        ),
        (
            {"id": "6", "queue_size": " 4 "},
            CallQueue(id="6", description=None, internal_number=None, waiting=4),
        ),
        (
            {"id": 7, "description": "", "queue_size": "many"},
            CallQueue(id="7", description=None, internal_number=None, waiting=None),
        ),
        (
            {"id": 8, "queue_size": -1},
            CallQueue(id="8", description=None, internal_number=None, waiting=None),
        ),
        (
            {"id": 9, "queue_size": True, "description": ["x"]},
            CallQueue(id="9", description=None, internal_number=None, waiting=None),
        ),
        (
            {"id": 10, "queue_size": None},
            CallQueue(id="10", description=None, internal_number=None, waiting=None),
        ),
    ],
    ids=["numbers", "string_id", "not_a_number", "negative", "odd_types", "null"],
)
async def test_call_queue_records(
    hass: HomeAssistant,
    simulator: Simulator,
    client: VoipgridClient,
    record: dict[str, Any],
    queue: CallQueue,
) -> None:
    """Each record is read leniently: what cannot be used is not known."""
    simulator.inject("queues", Fault.http(200, {"meta": {}, "objects": [record]}))

    queues, _ = await client.get_call_queues()

    assert queues == {queue.id: queue}


async def test_call_queues_bare_list_and_unusable_records(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """A bare list is the records; records without an id are skipped."""
    simulator.inject(
        "queues",
        Fault.http(200, [{"id": 1, "queue_size": "0"}, {"description": "x"}, "odd"]),
    )

    queues, complete = await client.get_call_queues()

    assert list(queues) == ["1"]
    assert complete is True


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.http(200, {"objects": "none"}), VoipgridResponseError),
        (Fault.malformed(), VoipgridResponseError),
        (Fault.http(403), VoipgridAuthenticationError),
        (Fault.http(404), VoipgridNotFoundError),
        (Fault.rate_limited("12"), VoipgridRateLimitError),
    ],
    ids=["bad_shape", "malformed", "forbidden", "missing", "rate_limited"],
)
async def test_call_queue_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    client: VoipgridClient,
    fault: Fault,
    error: type[Exception],
) -> None:
    """Odd answers and refusals raise the client's errors."""
    simulator.inject("queues", fault)

    with pytest.raises(error):
        await client.get_call_queues()


async def test_call_queues_partner_and_missing(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """The simulator refuses partner accounts (403); some platforms have no queues (404)."""
    simulator.queues.without_queues.add(DEFAULT_EMAIL)
    with pytest.raises(VoipgridNotFoundError):
        await client.get_call_queues()

    simulator.accounts[DEFAULT_EMAIL].partner = True
    with pytest.raises(VoipgridAuthenticationError) as err:
        await client.get_call_queues()
    assert err.value.status == 403


# -- caller-ID numbers -------------------------------------------------------------------


async def test_caller_ids(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """The numbers of the company, read with the API token as a Bearer."""
    profile = await client.get_profile()
    assert profile.client_uuid == CLIENT_UUID

    numbers = await client.get_caller_ids(CLIENT_UUID)

    assert numbers == (
        CallerIdNumber(number="+31508009000", description="Main number"),
        CallerIdNumber(number="+31508009010", description="Sales"),
    )
    request = simulator.requests[-1]
    assert request.endpoint == "caller_ids"
    assert request.path == f"/api/v2/clients/{CLIENT_UUID}/callerid_numbers"
    assert simulator.caller_ids.queries[-1] == {"page": "1", "per_page": "100"}


async def test_caller_id_pages(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    client: VoipgridClient,
) -> None:
    """Pages are read until a short one; a number listed twice is kept once."""
    account.caller_ids = [
        {"number": f"+3150800900{digit}", "description": None} for digit in range(5)
    ] + [{"number": "+31508009000", "description": "Again"}]

    numbers = await client.get_caller_ids(CLIENT_UUID, per_page=2)

    assert [number.number for number in numbers] == [
        f"+3150800900{digit}" for digit in range(5)
    ]
    # Three full pages, then an empty one.
    assert [query["page"] for query in simulator.caller_ids.queries] == [
        "1",
        "2",
        "3",
        "4",
    ]


async def test_caller_ids_past_the_last_page(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """A page past the last may answer 404: the numbers read so far are all."""
    simulator.inject(
        "caller_ids", Fault.http(200, {"items": [{"number": "+31508009000"}]})
    )
    simulator.inject("caller_ids", Fault.http(404))

    numbers = await client.get_caller_ids(CLIENT_UUID, per_page=1, max_pages=3)

    assert numbers == (CallerIdNumber(number="+31508009000", description=None),)


async def test_caller_ids_lenient(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """A bare list is the items; items without a number are skipped."""
    simulator.inject(
        "caller_ids",
        Fault.http(
            200,
            [
                {"number": 31508009000, "description": " Main "},
                {"description": "no number"},
                {"number": True},
                "odd",
            ],
        ),
    )

    numbers = await client.get_caller_ids(CLIENT_UUID)

    assert numbers == (CallerIdNumber(number="31508009000", description="Main"),)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.http(200, {"numbers": []}), VoipgridResponseError),
        (Fault.http(401), VoipgridAuthenticationError),
        (Fault.http(404), VoipgridNotFoundError),
    ],
    ids=["bad_shape", "bearer_refused", "missing"],
)
async def test_caller_id_errors(
    hass: HomeAssistant,
    simulator: Simulator,
    client: VoipgridClient,
    fault: Fault,
    error: type[Exception],
) -> None:
    """Odd answers and refusals of the first page raise the client's errors."""
    simulator.inject("caller_ids", fault)

    with pytest.raises(error):
        await client.get_caller_ids(CLIENT_UUID)


async def test_caller_ids_other_company(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """Another company's numbers are not found; the uuid is sent as one path segment."""
    with pytest.raises(VoipgridNotFoundError):
        await client.get_caller_ids("x/../../y")

    # Escaped: it reached the caller-ID route, its dots not taken as folders.
    assert simulator.requests[-1].endpoint == "caller_ids"
    assert simulator.requests[-1].path == "/api/v2/clients/x/../../y/callerid_numbers"


# -- stopping a call ---------------------------------------------------------------------


async def test_hang_up(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """A DELETE of the call stops it: the platform says disconnected from then on."""
    call = await client.start_call("+31508009899")

    await client.hang_up_call(call.call_id)

    assert simulator.requests[-1].method == "DELETE"
    assert simulator.requests[-1].path == f"/api/clicktodial/{call.call_id}/"
    assert simulator.status_of(call.call_id) == "disconnected"
    # Stopping it again: the platform says so in a body, still a success.
    await client.hang_up_call(call.call_id)


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        (404, VoipgridNotFoundError),
        (405, VoipgridNotAllowedError),
        (400, VoipgridInvalidRequestError),
    ],
)
async def test_hang_up_refused(
    hass: HomeAssistant,
    simulator: Simulator,
    client: VoipgridClient,
    refusal: int,
    error: type[Exception],
) -> None:
    """A platform that cannot stop a call refuses; the call goes on."""
    simulator.hang_up_refusal = refusal
    call = await client.start_call("+31508009899")

    with pytest.raises(error):
        await client.hang_up_call(call.call_id)

    assert simulator.calls[call.call_id].timeline[-1] == (40, "disconnected")


async def test_hang_up_despite_pause(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """While rate limited, a stop a person asked for is still sent."""
    call = await client.start_call("+31508009899")
    client.rate_limit.pause(60)

    with pytest.raises(VoipgridRateLimitError):
        await client.hang_up_call(call.call_id)
    await client.hang_up_call(call.call_id, despite_pause=True)

    assert simulator.count("hang_up") == 1


async def test_hang_up_unknown_call(
    hass: HomeAssistant, simulator: Simulator, client: VoipgridClient
) -> None:
    """An id the platform does not know is not found; it is sent as one path segment."""
    with pytest.raises(VoipgridNotFoundError):
        await client.hang_up_call("a/b")

    # Escaped: it reached the route of one call.
    assert simulator.requests[-1].endpoint == "hang_up"


# -- the simulator's own controls --------------------------------------------------------


async def test_queue_command(
    hass: HomeAssistant, simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m simulator queue --add 2 sales`` makes two callers wait in Sales."""
    run = hass.async_add_executor_job
    url = ["--url", simulator.url]

    assert await run(queue, parse_queue_args(["--add", "2", "sales", *url])) == 0
    assert "2 caller(s) waiting in Sales" in capsys.readouterr().out
    assert await run(queue, parse_queue_args(["801", "--remove", "5", *url])) == 0
    assert "0 caller(s) waiting in Sales" in capsys.readouterr().out
    assert await run(queue, parse_queue_args(["Support", "--set", "4", *url])) == 0
    assert simulator.queues.find("support")["waiting"] == 4  # type: ignore[index]

    assert await run(queue, parse_queue_args(["night", *url])) == 1
    assert "no such queue" in capsys.readouterr().err
    unreachable = parse_queue_args(["sales", "--url", "http://127.0.0.1:9"])
    assert await run(queue, unreachable) == 1
    assert "Cannot reach the simulator" in capsys.readouterr().err


@pytest.mark.parametrize(
    "body",
    [None, {"add": 1}, {"queue": "sales"}, {"queue": "sales", "add": True}],
    ids=["no_body", "no_queue", "no_change", "not_a_number"],
)
async def test_queue_endpoint_validation(
    simulator: Simulator, socket_enabled: None, body: dict[str, Any] | None
) -> None:
    """The simulator's queue control refuses what it cannot do."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{simulator.url}/simulator/queue", json=body) as response,
    ):
        assert response.status == 400
