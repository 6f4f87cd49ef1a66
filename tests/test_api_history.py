"""Tests of the client's call history and phone account requests, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.clicktodial.voipgrid import (
    HistoryApi,
    HistoryCall,
    HistoryDirection,
    HistoryParty,
    PhoneAccount,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridConnectionError,
    VoipgridNotFoundError,
    VoipgridRateLimitError,
    VoipgridResponseError,
)
from custom_components.clicktodial.voipgrid.history import (
    amsterdam_time,
    parse_v1_page,
    parse_v2_page,
)
from custom_components.clicktodial.voipgrid.phones import parse_phone_account_page
from homeassistant.core import HomeAssistant
from simulator import DEFAULT_EMAIL, Fault, Simulator

from .helpers import ClientFactory

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WEEK_AGO = NOW - timedelta(days=7)
DESK = {
    "id": 101,
    "account_id": 150010001,
    "internal_number": 201,
    "description": "Desk",
}
# A v2 record as the platform's newer app reads it.
V2_RECORD: dict[str, Any] = {
    "id": 7001,
    "type": "call",
    "answered": True,
    "is_answered_elsewhere": False,
    "start_time": "2026-11-26T13:00:00+01:00",
    "direction": "inbound",
    "duration_in_seconds": 125,
    "from": {
        "type": "external",
        "phone_number": "+31612345678",
        "dialed_number": None,
        "caller_name": "Bakker | Voys",
        "voip_account": None,
    },
    "to": {
        "type": "voip_account",
        "phone_number": None,
        "voip_account": {"id": 101, "description": "Desk", "internal_number": 201},
        "fixed_destination": None,
    },
}
V2_CALL = HistoryCall(
    id="7001",
    start=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    duration=125,
    direction=HistoryDirection.INBOUND,
    answered=True,
    answered_elsewhere=False,
    caller=HistoryParty(number="+31612345678", name="Bakker | Voys"),
    callee=HistoryParty(phone="Desk (201)"),
)
# A v1 call record: Amsterdam local time without an offset, atime the talk time.
V1_RECORD: dict[str, Any] = {
    "id": 8001,
    "call_date": "2026-11-26T13:00:00",
    "atime": 0,
    "direction": "inbound",
    "src_number": "+31201234567",
    "dst_number": "201",
    "dialed_number": None,
    "callerid": '"Jansen" <+31201234567>',
    "dst_account": "/api/phoneaccount/phoneaccount/101/",
}


class HandClock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the time."""
        return self.now


@pytest.fixture
def clock() -> HandClock:
    """Return the clients' clock."""
    return HandClock()


@pytest.fixture
def api_client(make_client: ClientFactory, clock: HandClock) -> VoipgridClient:
    """Return a client of the simulator's default account, on the hand-moved clock."""
    return make_client(clock=clock)


def history_requests(simulator: Simulator) -> list[tuple[str, dict[str, str]]]:
    """Return the call list requests: endpoint and query."""
    return simulator.history.queries


# -- v2 ----------------------------------------------------------------------------------


async def test_v2_scripted_history(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The v2 list is read with the API token alone; the scripted calls come back."""
    history = await api_client.get_call_history(WEEK_AGO - timedelta(days=3650))

    assert history.api is HistoryApi.V2
    assert api_client.history_api is HistoryApi.V2
    assert history.complete
    assert history.skipped == 0
    assert [call.direction for call in history.calls] == [
        HistoryDirection.OUTBOUND,
        HistoryDirection.INBOUND,
        HistoryDirection.INBOUND,
        HistoryDirection.INBOUND,
    ]
    out, missed, answered, elsewhere = history.calls
    assert out.callee.number == "+31508009899"
    assert out.caller.phone == "Desk (201)"
    assert out.other is out.callee
    assert (out.answered, out.duration, out.missed) == (True, 45, False)
    assert missed.missed
    assert missed.other == HistoryParty(number="+31201234567")
    assert answered.other.name == "Bakker | Voys"
    assert answered.end - answered.start == timedelta(seconds=125)
    assert elsewhere.answered_elsewhere
    assert not elsewhere.missed
    request = simulator.requests[-1]
    assert request.path == "/api/v2/call/personalized"
    assert simulator.history.queries == [
        ("call_history_v2", {"page": "1", "per_page": "50"})
    ]
    assert request.email == DEFAULT_EMAIL  # the Bearer token named the account


async def test_v2_record(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A record as the platform's app reads it: the time in UTC, the user's phone named."""
    simulator.inject("call_history_v2", Fault.http(200, [V2_RECORD]))

    history = await api_client.get_call_history(WEEK_AGO)

    assert history.calls == (V2_CALL,)
    assert not V2_CALL.missed


async def test_v2_pages_back_to_since(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """Pages are read until one reaches back to the moment asked for."""
    simulator.history.scripted = False
    for hour in range(1, 8):
        simulator.history.add(
            DEFAULT_EMAIL, start=NOW - timedelta(hours=hour), direction="inbound"
        )

    history = await api_client.get_call_history(NOW - timedelta(hours=4.5), per_page=2)

    # Pages of 2: hours 1-2, 3-4, 5-6 (the last reaches back past 4.5 hours).
    assert [query["page"] for _, query in history_requests(simulator)] == [
        "1",
        "2",
        "3",
    ]
    assert len(history.calls) == 6
    assert history.complete


async def test_v2_short_page_is_the_last(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A page with fewer calls than asked for is the last: no further page is asked."""
    history = await api_client.get_call_history(
        WEEK_AGO - timedelta(days=365), per_page=3
    )

    # 4 scripted calls: a full page of 3, then a page of 1.
    assert [query["page"] for _, query in history_requests(simulator)] == ["1", "2"]
    assert len(history.calls) == 4


async def test_v2_past_the_last_page(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A 404 for a page past the last ends the reading (DRF-style pagination)."""
    history = await api_client.get_call_history(
        WEEK_AGO - timedelta(days=365), per_page=2
    )

    assert [query["page"] for _, query in history_requests(simulator)] == [
        "1",
        "2",
        "3",
    ]
    assert len(history.calls) == 4
    assert history.api is HistoryApi.V2
    assert history.complete


async def test_v2_page_limit(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """At most ``max_pages`` pages are read; the history says it is not complete."""
    history = await api_client.get_call_history(
        WEEK_AGO - timedelta(days=365), per_page=1, max_pages=2
    )

    assert len(history_requests(simulator)) == 2
    assert len(history.calls) == 2
    assert not history.complete


async def test_v2_same_call_on_two_pages(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A call that moves to the next page while paging is returned once."""
    simulator.inject("call_history_v2", Fault.http(200, [V2_RECORD]))
    simulator.inject("call_history_v2", Fault.http(200, [V2_RECORD]))

    history = await api_client.get_call_history(NOW, per_page=1, max_pages=2)

    assert history.calls == (V2_CALL,)


async def test_v2_answered_filter(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """One page of calls nobody answered, as the app's missed-call list asks for it."""
    page = await api_client.get_call_history_v2_page(1, 10, answered=False)
    answered = await api_client.get_call_history_v2_page(1, 10, answered=True)

    assert [call.answered for call in page.calls] == [False, False]
    assert [call.answered for call in answered.calls] == [True, True]
    assert [query.get("answered") for _, query in history_requests(simulator)] == [
        "false",
        "true",
    ]


async def test_v2_skips_unusable_records(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """Records without an id or a time are skipped and counted; the rest is read."""
    body = [
        V2_RECORD,
        {**V2_RECORD, "id": None},
        {**V2_RECORD, "id": 7002, "start_time": "yesterday"},
        "not a record",
        {**V2_RECORD, "id": 7003, "direction": "sideways", "answered": "yes"},
    ]
    simulator.inject("call_history_v2", Fault.http(200, body))

    history = await api_client.get_call_history(NOW)

    assert [call.id for call in history.calls] == ["7001", "7003"]
    assert history.skipped == 3
    odd = history.calls[1]
    assert odd.direction is HistoryDirection.UNKNOWN
    # Not a boolean: answered when there was talk time.
    assert odd.answered
    assert not odd.missed


# -- v1, the fallback --------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.http(404, {"detail": "Not found."}), Fault.http(401), Fault.http(403)],
    ids=["404", "401", "403"],
)
async def test_v1_fallback(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient, fault: Fault
) -> None:
    """A 404 of v2, or its Bearer auth refused, reads v1 for that read only."""
    simulator.inject("call_history_v2", fault)
    since = NOW - timedelta(days=365)

    first = await api_client.get_call_history(since)
    assert api_client.history_api is HistoryApi.V1
    second = await api_client.get_call_history(since)

    assert (first.api, second.api) == (HistoryApi.V1, HistoryApi.V2)
    assert api_client.history_api is HistoryApi.V2
    assert [endpoint for endpoint, _ in history_requests(simulator)] == [
        "call_history_v2",
        "call_history_v1",
        "call_history_v2",
    ]
    assert [call.id for call in first.calls] == [call.id for call in second.calls]
    out, missed, answered, elsewhere = first.calls
    assert out.direction is HistoryDirection.OUTBOUND
    assert out.callee.number == "+31508009899"
    assert out.caller.number == "201"
    assert (out.answered, out.duration) == (True, 45)
    assert missed.missed
    assert answered.caller == HistoryParty(number="+31612345678", name="Bakker | Voys")
    assert answered.duration == 125
    # v1 does not say a call was answered elsewhere: it is missed there.
    assert elsewhere.missed
    assert simulator.requests[1].path == "/api/cdr/record/personalized/"
    assert history_requests(simulator)[1][1] == {
        "limit": "50",
        "offset": "0",
        "call_date__gt": amsterdam_time(since),
    }


async def test_lasting_404_chooses_v1_for_an_hour(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    clock: HandClock,
) -> None:
    """Only v2 answering 404 to 3 reads in a row chooses v1; v2 is tried again hourly."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)

    async def read() -> list[str]:
        before = len(history_requests(simulator))
        await api_client.get_call_history(NOW - timedelta(days=1))
        clock.now += 900
        return [endpoint for endpoint, _ in history_requests(simulator)[before:]]

    both = ["call_history_v2", "call_history_v1"]
    v1 = ["call_history_v1"]
    assert [await read() for _ in range(3)] == [both, both, both]
    # v1 is asked directly for an hour from the third 404 (at 0 s): 900 s to 2700 s.
    assert [await read() for _ in range(3)] == [v1, v1, v1]
    # Then v2 is tried again; still missing, v1 is asked directly for another hour.
    assert [await read() for _ in range(5)] == [both, v1, v1, v1, both]
    assert api_client.history_api is HistoryApi.V1

    simulator.history.without_v2.clear()
    clock.now += 3600
    assert await read() == ["call_history_v2"]
    assert api_client.history_api is HistoryApi.V2
    # v2 answered: one 404 again no longer chooses v1.
    simulator.inject("call_history_v2", Fault.http(404))
    assert [await read() for _ in range(2)] == [both, ["call_history_v2"]]


async def test_v1_amsterdam_time(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """v1 dates are Amsterdam local time: sent so, read so (summer and winter)."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    winter = datetime(2026, 1, 10, 8, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 10, 8, 30, tzinfo=UTC)
    simulator.inject(
        "call_history_v1",
        Fault.http(
            200,
            {
                "meta": {"next": None},
                "objects": [
                    {**V1_RECORD, "id": 1, "call_date": "2026-01-10T09:30:00"},
                    {**V1_RECORD, "id": 2, "call_date": "2026-07-10T10:30:00"},
                    {**V1_RECORD, "id": 3, "call_date": "2026-07-10T08:30:00Z"},
                ],
            },
        ),
    )

    history = await api_client.get_call_history(winter, per_page=5)

    assert [call.start for call in history.calls] == [summer, summer, winter]
    assert amsterdam_time(winter) == "2026-01-10T09:30:00"
    assert amsterdam_time(summer) == "2026-07-10T10:30:00"
    (call,) = [call for call in history.calls if call.id == "1"]
    assert call.caller == HistoryParty(number="+31201234567", name="Jansen")
    assert call.callee == HistoryParty(number="201")
    assert call.missed


async def test_v1_filters_by_date(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The simulator's v1 list keeps the calls after ``call_date__gt``, also with __lt."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    now = simulator.wall_clock()

    recent = await api_client.get_call_history(now - timedelta(hours=2, minutes=30))
    window = await api_client.get_call_history_v1_page(
        since=now - timedelta(hours=2, minutes=30),
        until=now - timedelta(minutes=90),
        limit=10,
    )

    # The calls of 2 hours and 1 hour ago.
    assert [call.direction for call in recent.calls] == [
        HistoryDirection.OUTBOUND,
        HistoryDirection.INBOUND,
    ]
    assert [call.direction for call in window.calls] == [HistoryDirection.INBOUND]
    assert window.has_next is False
    assert history_requests(simulator)[-1][1]["call_date__lt"] == amsterdam_time(
        now - timedelta(minutes=90)
    )


async def test_v1_pages(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """v1 pages follow ``limit`` and ``offset`` until ``meta.next`` is empty."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)

    history = await api_client.get_call_history(NOW - timedelta(days=3650), per_page=3)
    limited = await api_client.get_call_history(
        NOW - timedelta(days=3650), per_page=1, max_pages=2
    )

    offsets = [query.get("offset") for _, query in history_requests(simulator)]
    # v2 404, then v1: 0, 3; v2 404 again, then v1: 0, 1.
    assert offsets == [None, "0", "3", None, "0", "1"]
    assert len(history.calls) == 4
    assert history.complete
    assert len(limited.calls) == 2
    assert not limited.complete


async def test_v1_a_full_page_without_next(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A full page whose ``meta.next`` is empty is the last."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    simulator.inject(
        "call_history_v1",
        Fault.http(200, {"meta": {"next": None}, "objects": [V1_RECORD]}),
    )

    history = await api_client.get_call_history(NOW - timedelta(days=1), per_page=1)

    assert [call.id for call in history.calls] == ["8001"]
    assert len(history_requests(simulator)) == 2  # v2 (404), then one v1 page


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.rate_limited("42"), VoipgridRateLimitError),
        (Fault.http(500), VoipgridResponseError),
        (Fault.malformed(), VoipgridResponseError),
        (Fault.http(200, {"detail": "no list"}), VoipgridResponseError),
        (Fault.connection_reset(), VoipgridConnectionError),
    ],
    ids=["429", "500", "malformed", "not_a_list", "reset"],
)
async def test_v2_faults(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    fault: Fault,
    error: type[Exception],
) -> None:
    """Faults of the v2 list are the client's errors; they make no fallback to v1."""
    # Twice: aiohttp sends a GET again once when the connection drops.
    simulator.inject("call_history_v2", fault, times=2)

    with pytest.raises(error):
        await api_client.get_call_history(NOW)

    assert {endpoint for endpoint, _ in history_requests(simulator)} == {
        "call_history_v2"
    }
    assert api_client.history_api is None


async def test_both_lists_missing(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """Without either list, the 404 of v1 is raised."""
    simulator.inject("call_history_v2", Fault.http(404))
    simulator.inject("call_history_v1", Fault.http(404))

    with pytest.raises(VoipgridNotFoundError):
        await api_client.get_call_history(NOW)


async def test_v1_refuses_the_token(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A token refused by both lists is an authentication error with the status."""
    simulator.accounts[DEFAULT_EMAIL].revoked = True

    with pytest.raises(VoipgridAuthenticationError) as err:
        await api_client.get_call_history(NOW)

    assert err.value.status == 401


async def test_partner_account(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """A partner account gets 403 from both lists."""
    simulator.accounts[DEFAULT_EMAIL].partner = True

    with pytest.raises(VoipgridAuthenticationError) as err:
        await api_client.get_call_history(NOW)

    assert err.value.status == 403
    with pytest.raises(VoipgridAuthenticationError):
        await api_client.get_phone_accounts()


# -- parsers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"items": [V2_RECORD]},
        {"results": [V2_RECORD], "count": 1},
        {"objects": [V2_RECORD]},
        {"data": [V2_RECORD]},
    ],
    ids=["items", "results", "objects", "data"],
)
def test_v2_wrapped_list(body: dict[str, Any]) -> None:
    """A v2 list wrapped in an object is read too."""
    page = parse_v2_page(body)

    assert page.calls == (V2_CALL,)
    assert page.size == 1


@pytest.mark.parametrize("body", [None, "calls", 5, {"items": "none"}, {}])
def test_not_a_list(body: object) -> None:
    """An answer that holds no list is a response error, in every parser."""
    for parse in (parse_v2_page, parse_v1_page, parse_phone_account_page):
        with pytest.raises(VoipgridResponseError):
            parse(body)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"duration_in_seconds": "61.4"}, 61),
        ({"duration_in_seconds": -5}, 0),
        ({"duration_in_seconds": 10**9}, 0),
        ({"duration_in_seconds": float("nan")}, 0),
        ({"duration_in_seconds": "long"}, 0),
        ({"duration_in_seconds": True}, 0),
        ({"duration_in_seconds": None}, 0),
    ],
)
def test_v2_durations(changes: dict[str, Any], expected: int) -> None:
    """A duration that is no believable number of seconds is 0."""
    (call,) = parse_v2_page([{**V2_RECORD, **changes}]).calls

    assert call.duration == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"direction": "OUTGOING"}, HistoryDirection.OUTBOUND),
        ({"direction": " incoming "}, HistoryDirection.INBOUND),
        ({"direction": "internal"}, HistoryDirection.INTERNAL),
        ({"direction": 1}, HistoryDirection.UNKNOWN),
    ],
)
def test_v2_directions(changes: dict[str, Any], expected: HistoryDirection) -> None:
    """Directions are read whatever their case; unknown ones are kept as unknown."""
    (call,) = parse_v2_page([{**V2_RECORD, **changes}]).calls

    assert call.direction is expected


def test_v2_sides() -> None:
    """Sides without an object, a fixed destination as the user's phone, odd texts."""
    (call,) = parse_v2_page(
        [
            {
                **V2_RECORD,
                "id": "abc",
                "start_time": "2026-11-26T13:00:00",  # no offset: Amsterdam
                "from": None,
                "to": {
                    "phone_number": 31612345678,
                    "voip_account": 101,
                    "fixed_destination": {
                        "description": " Mobile ",
                        "internal_number": None,
                    },
                },
            }
        ]
    ).calls

    assert call.id == "abc"
    assert call.start == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert call.caller == HistoryParty()
    assert call.callee == HistoryParty(number="31612345678", phone="Mobile")


@pytest.mark.parametrize(
    "start_time",
    ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "", 1700000000, None],
)
def test_v2_times_out_of_range(start_time: object) -> None:
    """A time that is no moment in UTC makes the record unusable, not the page."""
    page = parse_v2_page([{**V2_RECORD, "start_time": start_time}, V2_RECORD])

    assert page.calls == (V2_CALL,)
    assert page.skipped == 1


def test_v1_caller_ids() -> None:
    """A v1 caller id may be a name with a number, a bare number, or a bare name."""
    records = [
        {**V1_RECORD, "id": 1, "callerid": "Jansen <0201234567>", "src_number": None},
        {**V1_RECORD, "id": 2, "callerid": "+31201234567"},
        {**V1_RECORD, "id": 3, "callerid": "Reception"},
        {**V1_RECORD, "id": 4, "callerid": None, "atime": "12"},
    ]

    calls = {call.id: call for call in parse_v1_page({"objects": records}).calls}

    assert calls["1"].caller == HistoryParty(number="0201234567", name="Jansen")
    assert calls["2"].caller == HistoryParty(number="+31201234567")
    assert calls["3"].caller == HistoryParty(number="+31201234567", name="Reception")
    assert calls["4"].caller == HistoryParty(number="+31201234567")
    assert calls["4"].answered
    assert calls["4"].duration == 12


def test_v1_unusable_records() -> None:
    """v1 records without an id or a date are skipped; a page without meta says nothing."""
    page = parse_v1_page(
        [V1_RECORD, {**V1_RECORD, "id": True}, {**V1_RECORD, "call_date": None}, 4]
    )

    assert [call.id for call in page.calls] == ["8001"]
    assert (page.size, page.skipped, page.has_next) == (4, 3, None)


# -- phone accounts ----------------------------------------------------------------------


async def test_phone_accounts(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """The company's active phone accounts: the desk phone is registered, by its name."""
    accounts, complete = await api_client.get_phone_accounts()

    assert complete
    assert accounts["101"] == PhoneAccount(
        id="101",
        number="201",
        description="Desk",
        registered=True,
        useragent="Yealink SIP-T54W 96.86.0.100",
    )
    assert accounts["102"].registered is False
    assert accounts["102"].useragent is None
    assert sorted(accounts) == ["101", "102", "301", "302"]  # colleagues' too
    assert simulator.requests[-1].path == "/api/phoneaccount/basic/phoneaccount/"
    assert simulator.phones.queries == [
        {
            "active": "true",
            "order_by": "description",
            "limit": "100",
            "offset": "0",
        }
    ]


async def test_phone_accounts_wanted(
    hass: HomeAssistant, simulator: Simulator, api_client: VoipgridClient
) -> None:
    """Only the wanted phone accounts are returned; paging stops once all are found."""
    simulator.phones.unregister(DEFAULT_EMAIL, 101)
    simulator.phones.register(DEFAULT_EMAIL, "102", "Acrobits Groundwire")

    # Sorted by description: Desk, Reception, Sales, Softphone.
    accounts, complete = await api_client.get_phone_accounts({"101"}, limit=1)
    both, _ = await api_client.get_phone_accounts({"101", "102"}, limit=1)
    missing, incomplete = await api_client.get_phone_accounts(
        {"999"}, limit=1, max_pages=2
    )

    assert complete
    assert list(accounts) == ["101"]
    assert accounts["101"].registered is False
    assert both["102"].useragent == "Acrobits Groundwire"
    assert [query["offset"] for query in simulator.phones.queries] == [
        "0",
        "0",
        "1",
        "2",
        "3",
        "0",
        "1",
    ]
    assert missing == {}
    assert not incomplete


@pytest.mark.parametrize(
    ("sipreginfo", "registered", "useragent"),
    [
        (None, False, None),
        ({}, False, None),
        ({"useragent": " Yealink T54W "}, True, "Yealink T54W"),
        ({"contact": "sip:201@192.0.2.10"}, True, None),
        ([{"useragent": "snom"}, {"useragent": "other"}], True, "snom"),
        ([], False, None),
        ("registered", True, None),
        (False, False, None),
    ],
)
def test_registration_shapes(
    sipreginfo: object, registered: bool, useragent: str | None
) -> None:
    """Registered while ``sipreginfo`` holds something; the user agent when it names one."""
    page = parse_phone_account_page(
        [{**DESK, "sipreginfo": sipreginfo}, {"id": None}, "x", {"id": 5}]
    )

    account = page.accounts[0]
    assert (account.registered, account.useragent) == (registered, useragent)
    assert [account.id for account in page.accounts] == ["101", "5"]
    assert page.accounts[1] == PhoneAccount(
        id="5", number=None, description=None, registered=False, useragent=None
    )
    assert page.has_next is None


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.rate_limited(), VoipgridRateLimitError),
        (Fault.http(404), VoipgridNotFoundError),
        (Fault.http(502), VoipgridResponseError),
        (Fault.malformed(), VoipgridResponseError),
    ],
)
async def test_phone_account_faults(
    hass: HomeAssistant,
    simulator: Simulator,
    api_client: VoipgridClient,
    fault: Fault,
    error: type[Exception],
) -> None:
    """Faults of the phone account list are the client's errors."""
    simulator.inject("phone_accounts", fault)

    with pytest.raises(error):
        await api_client.get_phone_accounts({"101"})
