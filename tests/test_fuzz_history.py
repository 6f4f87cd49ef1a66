"""Property-based tests of the call history and phone account parsers: nothing breaks.

Records built the way the platform writes them, with every field this client reads given
plausible and odd values and with fields nobody documented, are always read: a call with
its time in UTC, a believable duration, texts that can be stored, and "missed" only for a
call that came in and was answered nowhere. Bodies of any JSON shape are either read or
refused with the client's own response error, never another exception. The same bodies
served over HTTP by the simulator reach the client's paging the same way.

The number of examples per test is ``CLICKTODIAL_FUZZ_EXAMPLES`` (default 150), as in
``tests/test_fuzz.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from hypothesis import given, settings, strategies as st

from custom_components.clicktodial.voipgrid import (
    HistoryCall,
    HistoryDirection,
    VoipgridClient,
    VoipgridResponseError,
)
from custom_components.clicktodial.voipgrid.history import (
    MAX_DURATION,
    HistoryPage,
    parse_v1_page,
    parse_v2_page,
)
from custom_components.clicktodial.voipgrid.notification import MAX_FIELD_LENGTH
from custom_components.clicktodial.voipgrid.phones import (
    PhoneAccount,
    parse_phone_account_page,
)
from homeassistant.core import HomeAssistant
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Fault, Simulator

# As many as the profile of tests/conftest.py says ($CLICKTODIAL_FUZZ_EXAMPLES).
EXAMPLES = settings().max_examples

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
# Text as a platform may send it: any code point, lone surrogates and long runs too.
TEXTS = st.text(max_size=300) | st.just("\ud800 x") | st.just("")
IDS = st.integers(min_value=0, max_value=2**53) | st.text(
    min_size=1, max_size=20
).filter(str.strip)
TIMES = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30)
) | st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, None]),
)
DIRECTIONS = (
    st.sampled_from(
        ["inbound", "outbound", "internal", "Incoming", "OUT", "sideways", ""]
    )
    | JSON_VALUES
)
NUMBERS = st.none() | TEXTS | st.integers()
DURATIONS = (
    st.integers(min_value=-10, max_value=2 * MAX_DURATION)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | JSON_VALUES
)
EXTRA = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(
        lambda key: (
            key not in {"id", "start_time", "call_date", "from", "to", "direction"}
        )
    ),
    JSON_VALUES,
    max_size=3,
)


def iso(moment: datetime) -> str:
    """Return a time as the platform may write it: with or without an offset, or Z."""
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if moment.microsecond % 2 else text


@st.composite
def sides(draw: st.DrawFn, *, caller: bool) -> Any:
    """Return one side of a v2 record (``from`` or ``to``), or anything else."""
    side: dict[str, Any] = {
        "type": draw(st.sampled_from(["external", "voip_account"]) | JSON_VALUES),
        "phone_number": draw(NUMBERS),
        "voip_account": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "id": IDS,
                    "description": st.none() | TEXTS,
                    "internal_number": NUMBERS,
                }
            )
            | JSON_VALUES
        ),
    }
    if caller:
        side["caller_name"] = draw(st.none() | TEXTS)
        side["dialed_number"] = draw(NUMBERS)
    else:
        side["fixed_destination"] = draw(JSON_VALUES)
    return draw(st.just(side) | JSON_VALUES)


@st.composite
def v2_records(draw: st.DrawFn) -> dict[str, Any]:
    """Return a v2 record with a usable id and start time, everything else anything."""
    return {
        "id": draw(IDS),
        "start_time": iso(draw(TIMES)),
        "type": draw(JSON_VALUES),
        "answered": draw(st.booleans() | JSON_VALUES),
        "is_answered_elsewhere": draw(st.booleans() | JSON_VALUES),
        "direction": draw(DIRECTIONS),
        "duration_in_seconds": draw(DURATIONS),
        "from": draw(sides(caller=True)),
        "to": draw(sides(caller=False)),
        **draw(EXTRA),
    }


@st.composite
def v1_records(draw: st.DrawFn) -> dict[str, Any]:
    """Return a v1 call record with a usable id and date, everything else anything."""
    return {
        "id": draw(IDS),
        "call_date": iso(draw(TIMES)),
        "atime": draw(DURATIONS),
        "direction": draw(DIRECTIONS),
        "src_number": draw(NUMBERS),
        "dst_number": draw(NUMBERS),
        "dialed_number": draw(NUMBERS),
        "callerid": draw(NUMBERS | st.just('"A | B" <+31612345678>')),
        "dst_account": draw(JSON_VALUES),
        **draw(EXTRA),
    }


@st.composite
def phone_records(draw: st.DrawFn) -> dict[str, Any]:
    """Return a phone account record with a usable id, everything else anything."""
    return {
        "id": draw(IDS),
        "internal_number": draw(NUMBERS),
        "description": draw(st.none() | TEXTS),
        "sipreginfo": draw(
            st.none()
            | st.fixed_dictionaries({}, optional={"useragent": NUMBERS | JSON_VALUES})
            | JSON_VALUES
        ),
        **draw(EXTRA),
    }


def check_text(text: str | None) -> None:
    """A text read from the platform is short and can be written as UTF-8."""
    if text is not None:
        assert text
        assert len(text) <= MAX_FIELD_LENGTH
        text.encode()


def check_call(call: HistoryCall) -> None:
    """A call read is one this integration can show and count."""
    assert call.start.tzinfo is UTC
    assert 0 <= call.duration <= MAX_DURATION
    assert call.end >= call.start
    check_text(call.id)
    for side in (call.caller, call.callee):
        check_text(side.number)
        check_text(side.name)
        check_text(side.phone)
    if call.missed:
        assert call.direction is HistoryDirection.INBOUND
        assert not call.answered
        assert not call.answered_elsewhere
    assert call.other in (call.caller, call.callee)


def check_account(account: PhoneAccount) -> None:
    """A phone account read is one this integration can show."""
    for text in (account.id, account.number, account.description, account.useragent):
        check_text(text)
    assert account.useragent is None or account.registered


@given(st.lists(v2_records(), max_size=5), st.sampled_from([None, "items", "results"]))
def test_v2_records_are_read(records: list[dict[str, Any]], wrap: str | None) -> None:
    """Every v2 record with an id and a time is read, whatever else it holds."""
    page = parse_v2_page({wrap: records} if wrap else records)

    assert page.size == len(records)
    assert page.skipped == 0
    assert len(page.calls) == len(records)
    for call in page.calls:
        check_call(call)


@given(st.lists(v1_records(), max_size=5), JSON_VALUES)
def test_v1_records_are_read(records: list[dict[str, Any]], meta: Any) -> None:
    """Every v1 record with an id and a date is read, whatever else it holds."""
    page = parse_v1_page({"meta": meta, "objects": records})

    assert page.skipped == 0
    assert len(page.calls) == len(records)
    for call in page.calls:
        check_call(call)
        assert call.answered == (call.duration > 0)
        assert not call.answered_elsewhere


@given(st.lists(phone_records(), max_size=5), JSON_VALUES)
def test_phone_records_are_read(records: list[dict[str, Any]], meta: Any) -> None:
    """Every phone account record with an id is read, whatever else it holds."""
    page = parse_phone_account_page({"meta": meta, "objects": records})

    assert len(page.accounts) == len(records)
    for account in page.accounts:
        check_account(account)


PARSERS: dict[str, Callable[[object], HistoryPage | Any]] = {
    "v2": parse_v2_page,
    "v1": parse_v1_page,
    "phones": parse_phone_account_page,
}


@given(
    st.sampled_from(list(PARSERS)),
    JSON_VALUES
    | st.lists(JSON_VALUES | v2_records() | v1_records() | phone_records(), max_size=4)
    | st.dictionaries(
        st.sampled_from(["objects", "items", "meta", "results"]),
        JSON_VALUES | st.lists(JSON_VALUES | v2_records(), max_size=3),
        max_size=3,
    ),
)
def test_any_body(parser: str, body: Any) -> None:
    """Any JSON is read, or refused with the client's response error; nothing else."""
    try:
        page = PARSERS[parser](body)
    except VoipgridResponseError:
        return
    for item in getattr(page, "calls", ()):
        check_call(item)
    for account in getattr(page, "accounts", ()):
        check_account(account)


def run[T](hass: HomeAssistant, coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on Home Assistant's loop (the test itself is not a coroutine)."""
    return hass.loop.run_until_complete(coro)


async def make_client(simulator: Simulator) -> VoipgridClient:
    """Return a client of the simulator's account on a new session."""
    return VoipgridClient(
        aiohttp.ClientSession(),
        base_url=simulator.url,
        email=DEFAULT_EMAIL,
        api_token=DEFAULT_TOKEN,
    )


def test_bodies_over_http(
    hass: HomeAssistant, simulator: Simulator, socket_enabled: None
) -> None:
    """Bodies served by the simulator reach the client's paging as the parsers read them.

    Two pages: the first anything, the second records; the calls come back once each,
    newest first, or the client refuses with its response error.
    """
    client = run(hass, make_client(simulator))
    since = datetime(2026, 11, 26, tzinfo=UTC)
    seen = {"read": 0, "refused": 0}

    @given(
        st.lists(v2_records(), min_size=1, max_size=3) | JSON_VALUES,
        st.lists(v2_records(), max_size=3),
    )
    def check(first: Any, second: list[dict[str, Any]]) -> None:
        simulator.clear_faults()
        simulator.inject("call_history_v2", Fault.http(200, first))
        simulator.inject("call_history_v2", Fault.http(200, second))
        per_page = len(first) if isinstance(first, list) and first else 1
        try:
            history = run(
                hass,
                client.get_call_history(since - timedelta(days=1), per_page=per_page),
            )
        except VoipgridResponseError:
            seen["refused"] += 1
            return
        seen["read"] += 1
        ids = [call.id for call in history.calls]
        assert len(ids) == len(set(ids))
        starts = [call.start for call in history.calls]
        assert starts == sorted(starts, reverse=True)
        for call in history.calls:
            check_call(call)

    try:
        check()
    finally:
        run(hass, client._session.close())
    assert seen["read"] >= EXAMPLES * 0.3, seen
    assert seen["refused"] >= EXAMPLES * 0.05, seen
