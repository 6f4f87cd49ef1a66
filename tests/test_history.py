"""Tests of the call history: the "Calls" calendar and today's call counts.

Read at set-up, every 15 minutes and 5 s after a call ends (at most once a minute);
looking at the calendar asks the platform nothing. The account's one rate limit is shared with the other reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.clicktodial.const import DOMAIN, SUBENTRY_TYPE_CONTACT
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryDataWithId
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from simulator import DEFAULT_EMAIL, DEFAULT_TOKEN, Fault, Simulator

from .conftest import ACCOUNT_UUID
from .helpers import reauth_flows, set_up, start_call, state
from .timing import TimeDriver

CALENDAR = "calendar.demo_user_calls"
CALLS_TODAY = "sensor.demo_user_calls_today"
MISSED_TODAY = "sensor.demo_user_missed_calls_today"
# 13:00 in Amsterdam: the scripted calls of 3, 2 and 1 hour ago are today's.
FROZEN = "2026-11-26 12:00:00+00:00"
T0 = datetime.fromisoformat(FROZEN)
HISTORY = ("call_history_v2", "call_history_v1")
# A call the platform refuses after a second: it ends at once.
BLACKLISTED = "+31508009904"


@pytest.fixture(autouse=True)
async def amsterdam(hass: HomeAssistant) -> None:
    """Let "today" be Amsterdam's, the platform's own time zone."""
    await hass.config.async_update(time_zone="Europe/Amsterdam")


def reads(simulator: Simulator, origin: float = 0.0) -> list[float]:
    """Return when the call history was read after ``origin``, in whole seconds after it.

    Home Assistant starts a coordinator's timer at a random fraction of a second.
    """
    return [
        round(request.at - origin)
        for request in simulator.requests
        if request.endpoint in HISTORY and request.at > origin
    ]


async def events(
    hass: HomeAssistant,
    start: datetime | None = None,
    hours: float = 24,
    calendar: str = CALENDAR,
) -> list[dict[str, Any]]:
    """Return the calendar's events, as the calendar.get_events action lists them."""
    start = start or T0 - timedelta(hours=13)
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": calendar,
            "start_date_time": start,
            "end_date_time": start + timedelta(hours=hours),
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    result = response[calendar]
    assert isinstance(result, dict)
    listed = result["events"]
    assert isinstance(listed, list)
    return listed


# -- the entities ------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A "Calls" calendar on the account's device (its sensors: tests/test_entities.py)."""
    await set_up(hass, mock_config_entry, Platform.CALENDAR)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)

    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert calendar.state == STATE_OFF  # the latest call's event is over
    assert calendar.attributes["friendly_name"] == "Demo User Calls"
    # The attributes describe the latest call: the call out of an hour ago.
    assert calendar.attributes["message"] == "Call to +31508009899"
    assert calendar.attributes["start_time"] == "2026-11-26 12:00:00"
    # It lasted 45 s; its event, as the list shows it, a minute.
    assert calendar.attributes["end_time"] == "2026-11-26 12:01:00"
    entity = entity_registry.async_get(CALENDAR)
    assert entity is not None
    assert entity.unique_id == f"{ACCOUNT_UUID}_calls"
    assert simulator.count("call_history_v2") == 1


@pytest.mark.freeze_time(FROZEN)
async def test_events(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Each call an event: who, which way, answered or not, how long, on which phone."""
    await set_up(hass, mock_config_entry)

    listed = await events(hass, T0 - timedelta(days=2), hours=48)

    # Today's: two calls in (one missed), one out; yesterday's is not counted.
    assert state(hass, CALLS_TODAY) == "3"
    assert state(hass, MISSED_TODAY) == "1"

    assert listed == [
        {
            "start": "2026-11-25T11:00:00+01:00",
            "end": "2026-11-25T11:01:00+01:00",
            "summary": "Call from Bakker | Voys (+31612345678)",
            "description": "Incoming, answered elsewhere\nPhone: Desk (201)",
        },
        {
            "start": "2026-11-26T10:00:00+01:00",
            "end": "2026-11-26T10:02:05+01:00",
            "summary": "Call from Bakker | Voys (+31612345678)",
            "description": "Incoming, answered, 2 min 5 s\nPhone: Desk (201)",
        },
        {
            # Missed: shown a minute long.
            "start": "2026-11-26T11:00:00+01:00",
            "end": "2026-11-26T11:01:00+01:00",
            "summary": "Missed call from +31201234567",
            "description": "Incoming, not answered\nPhone: Desk (201)",
        },
        {
            "start": "2026-11-26T12:00:00+01:00",
            "end": "2026-11-26T12:01:00+01:00",
            "summary": "Call to +31508009899",
            "description": "Outgoing, answered, 45 s\nPhone: Desk (201)",
        },
    ]
    # Only the calls within the range.
    assert [
        event["summary"] for event in await events(hass, T0 - timedelta(hours=2), 1)
    ] == ["Missed call from +31201234567"]
    assert await events(hass, T0 + timedelta(minutes=1)) == []


@pytest.mark.freeze_time(FROZEN)
async def test_events_in_dutch_with_contact_names(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Texts in Home Assistant's language; a contact's name before the platform's."""
    hass.config.language = "nl"
    await hass.config.async_update(country="NL")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        subentries_data=[
            ConfigSubentryDataWithId(
                data={
                    "name": "Anna",
                    "number": "0612345678",
                    "auto_answer": "platform",
                },
                subentry_id="anna",
                subentry_type=SUBENTRY_TYPE_CONTACT,
                title="Anna",
                unique_id="+31612345678",
            )
        ],
    )
    simulator.history.add(
        DEFAULT_EMAIL,
        start=T0 - timedelta(minutes=30),
        direction="internal",
        duration=3700,
        answered=True,
        number="202",
        name="Softphone",
    )
    simulator.history.add(
        DEFAULT_EMAIL, start=T0 - timedelta(minutes=20), direction="inbound"
    )
    # A call out nobody answered, to a number written the national way.
    simulator.history.add(
        DEFAULT_EMAIL,
        start=T0 - timedelta(minutes=10),
        direction="outbound",
        number="020-123 4568",
    )
    # What is no number is shown as the platform wrote it.
    simulator.history.add(
        DEFAULT_EMAIL,
        start=T0 - timedelta(minutes=5),
        direction="inbound",
        number="anonymous",
    )
    await set_up(hass, entry)
    # Its entity id follows the name in Home Assistant's language.
    calendar = "calendar.demo_user_gesprekken"
    assert hass.states.get(calendar).attributes["friendly_name"] == (
        "Demo User Gesprekken"
    )

    assert [
        (event["summary"], event["description"])
        for event in await events(hass, calendar=calendar)
    ] == [
        (
            "Gesprek van Anna (+31612345678)",
            "Inkomend, opgenomen, 2 min 5 s\nToestel: Desk (201)",
        ),
        (
            "Gemist gesprek van +31201234567",
            "Inkomend, niet opgenomen\nToestel: Desk (201)",
        ),
        ("Gesprek naar +31508009899", "Uitgaand, opgenomen, 45 s\nToestel: Desk (201)"),
        # v2 names no one on the called side.
        ("Gesprek met 202", "Intern, opgenomen, 61 min 40 s"),
        ("Gemist gesprek van een onbekend nummer", "Inkomend, niet opgenomen"),
        # It failed; its number in the international form, as every other.
        ("Mislukt gesprek naar +31201234568", "Uitgaand, niet opgenomen"),
        ("Gemist gesprek van anonymous", "Inkomend, niet opgenomen"),
    ]


@pytest.mark.freeze_time(FROZEN)
async def test_events_in_another_language(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """In a language without texts of its own, English; a new language shows at once."""
    hass.config.language = "de"
    await set_up(hass, mock_config_entry)

    assert (await events(hass))[-1]["summary"] == "Call to +31508009899"
    # A change of language shows at once.
    await hass.config.async_update(language="nl")
    await hass.async_block_till_done()
    assert (await events(hass))[-1]["summary"] == "Gesprek naar +31508009899"


@pytest.mark.freeze_time(FROZEN)
async def test_looking_asks_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    """The calendar card, the REST API and the action are served from what was read."""
    # The calendar's HTTP views are registered before the test client starts.
    assert await async_setup_component(hass, "calendar", {})
    await set_up(hass, mock_config_entry)
    before = simulator.count()
    websocket = await hass_ws_client(hass)
    http = await hass_client()

    await websocket.send_json_auto_id(
        {
            "type": "calendar/event/subscribe",
            "entity_id": CALENDAR,
            "start": (T0 - timedelta(days=7)).isoformat(),
            "end": T0.isoformat(),
        }
    )
    assert (await websocket.receive_json())["success"]
    pushed = await websocket.receive_json()
    answer = await http.get(
        f"/api/calendars/{CALENDAR}",
        params={"start": (T0 - timedelta(hours=4)).isoformat(), "end": T0.isoformat()},
    )
    for day in range(7):
        await events(hass, T0 - timedelta(days=day))

    assert len(pushed["event"]["events"]) == 4
    assert [event["summary"] for event in await answer.json()] == [
        "Call from Bakker | Voys (+31612345678)",
        "Missed call from +31201234567",
        "Call to +31508009899",
    ]
    assert simulator.count() == before


# -- when it is read ---------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_read_every_15_minutes(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Read at set-up, then every 15 minutes, one page each; a new call shows then."""
    origin = hass.loop.time()
    await set_up(hass, mock_config_entry)

    await driver.run_for(14 * 60)
    simulator.history.add(
        DEFAULT_EMAIL, direction="inbound", number="+31201234567", name="Jansen"
    )
    assert state(hass, CALLS_TODAY) == "3"
    await driver.run_for(3600 - 14 * 60 + 5)

    assert [round(at / 60) for at in reads(simulator, origin - 1)] == [
        0,
        15,
        30,
        45,
        60,
    ]
    assert all(
        query == {"page": "1", "per_page": "50"}
        for _, query in simulator.history.queries
    )
    assert state(hass, CALLS_TODAY) == "4"
    assert state(hass, MISSED_TODAY) == "2"
    assert (await events(hass))[-1][
        "summary"
    ] == "Missed call from Jansen (+31201234567)"


@pytest.mark.freeze_time(FROZEN)
async def test_update_entity_reads_no_sooner(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Asking for an update does not read before the 15 minutes are up."""
    await set_up(hass, mock_config_entry)
    assert await async_setup_component(hass, "homeassistant", {})
    origin = hass.loop.time()

    await driver.run_for(60)
    for entity_id in (CALENDAR, CALLS_TODAY, MISSED_TODAY):
        await hass.services.async_call(
            "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
        )
    await driver.run_for(15 * 60 + 5)

    assert reads(simulator, origin) == [15 * 60]


@pytest.mark.freeze_time(FROZEN)
async def test_read_after_a_call_ends(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """5 s after a call started from Home Assistant ends, the calendar shows it.

    Its event starts when the call to the number did (not when the user's own phone
    started ringing) and lasts a minute at least, in the list and in the attributes.
    """
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()
    calendar_states: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            calendar_states.append(event.data["new_state"].state)
            if event.data["entity_id"] == CALENDAR
            else None
        ),
    )

    await start_call(hass, "+31508009899")
    await driver.run_for(60)

    # The call ends at 40 s and is seen within 2 s; read 5 s later.
    (read,) = reads(simulator, origin)
    assert 45 <= read <= 47
    assert state(hass, CALLS_TODAY) == "4"
    latest = (await events(hass, T0, 1))[-1]
    assert latest["summary"] == "Call to +31508009899"
    assert latest["description"] == "Outgoing, answered, 30 s\nPhone: Desk (201)"
    # Answered 10 s after it was set up, ended at 40 s: shown as 10 s to 70 s.
    assert (latest["start"], latest["end"]) == (
        dt_util.as_local(T0 + timedelta(seconds=10)).isoformat(),
        dt_util.as_local(T0 + timedelta(seconds=70)).isoformat(),
    )
    assert calendar_states == [STATE_ON]
    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert calendar.attributes["message"] == "Call to +31508009899"
    assert calendar.attributes["start_time"] == "2026-11-26 13:00:10"
    assert calendar.attributes["end_time"] == "2026-11-26 13:01:10"
    # The schedule goes on from that read; the calendar is off once the event is over.
    await driver.run_for(15 * 60 + 5)
    assert calendar_states == [STATE_ON, STATE_OFF]
    assert len(reads(simulator, origin)) == 2
    assert reads(simulator, origin)[1] - read == pytest.approx(900, abs=1)


def follow_ends(hass: HomeAssistant) -> list[tuple[str, float]]:
    """Record the account and loop time of each call started here that ends."""
    ended: list[tuple[str, float]] = []
    hass.bus.async_listen(
        "clicktodial_call_ended",
        callback(
            lambda event: ended.append(
                (event.data["config_entry_id"], hass.loop.time())
            )
        ),
    )
    return ended


@pytest.mark.freeze_time(FROZEN)
async def test_calls_ending_together_read_once(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    second_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Calls ending together make one read, later ones at most one a minute.

    Another account's calls make none here.
    """
    await set_up(hass, mock_config_entry)
    await set_up(hass, second_entry)
    ended = follow_ends(hass)
    first, second = mock_config_entry.entry_id, second_entry.entry_id
    origin = hass.loop.time()

    # Two calls that end after a second, together; one on the other account.
    for entry_id in (first, first, second):
        await start_call(hass, BLACKLISTED, config_entry_id=entry_id)
    await driver.run_for(20)
    # Another call ends 20 s after them: read a minute after the first read.
    await start_call(hass, BLACKLISTED, config_entry_id=first)
    await driver.run_for(120)

    ends = [at - origin for entry_id, at in ended if entry_id == first]
    assert len(ends) == 3
    assert ends[0] == ends[1]
    made = [
        (request.at - origin, request.email)
        for request in simulator.requests
        if request.endpoint in HISTORY and request.at > origin
    ]
    (other_end,) = [at - origin for entry_id, at in ended if entry_id == second]
    assert made == [
        (pytest.approx(ends[0] + 5), DEFAULT_EMAIL),
        (pytest.approx(other_end + 5), "second@example.com"),
        (pytest.approx(ends[0] + 5 + 60), DEFAULT_EMAIL),
    ]


@pytest.mark.freeze_time(FROZEN)
async def test_unload_cancels_the_read_after_a_call(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """An account unloaded before the read after a call reads nothing more."""
    await set_up(hass, mock_config_entry)
    ended = follow_ends(hass)
    before = simulator.count("call_history_v2")

    await start_call(hass, BLACKLISTED)
    await driver.run_for(2)
    assert len(ended) == 1
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await driver.run_for(3600)

    assert simulator.count("call_history_v2") == before
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.freeze_time("2026-11-26 22:50:00+00:00")
async def test_midnight(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """At midnight the counts start anew, without a read; the calendar keeps the calls."""
    await set_up(hass, mock_config_entry)
    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("3", "1")
    simulator.record_requests = False

    # 23:50 in Amsterdam: 10 minutes to midnight; the next read is at 00:05.
    await driver.run_for(10 * 60 + 1)

    assert (state(hass, CALLS_TODAY), state(hass, MISSED_TODAY)) == ("0", "0")
    assert len(await events(hass, dt_util.now() - timedelta(hours=4), 4)) == 3


@pytest.mark.freeze_time(FROZEN)
async def test_a_week_is_kept(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Calls older than a week leave the calendar; each read asks since the newest call."""
    simulator.history.add(
        DEFAULT_EMAIL,
        start=T0 - timedelta(days=7) + timedelta(minutes=10),
        direction="inbound",
    )
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    await set_up(hass, mock_config_entry)
    assert len(await events(hass, T0 - timedelta(days=8), 24 * 8)) == 5

    await driver.run_for(20 * 60)

    assert len(await events(hass, T0 - timedelta(days=8), 24 * 8)) == 4
    # The first read asks a week back, the next from 2 hours before the newest call.
    since = [
        query["call_date__gt"]
        for endpoint, query in simulator.history.queries
        if endpoint == "call_history_v1"
    ]
    assert since == ["2026-11-19T13:00:00", "2026-11-26T10:00:00"]


# -- faults ------------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_failures_back_off_then_unavailable(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Failed reads are retried after 1, 2, 4, 8, 15 minutes; after an hour, unavailable."""
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()
    simulator.inject("call_history_v2", Fault.http(500), times=3)
    simulator.inject("call_history_v2", Fault.malformed(), times=2)
    simulator.inject("call_history_v2", Fault.connection_reset(), times=2)  # one read
    simulator.inject("call_history_v2", Fault.http(503), times=2)

    await driver.run_for(4500 - 1)
    assert state(hass, CALLS_TODAY) == "3"  # kept through an hour less a second
    assert state(hass, CALENDAR) == STATE_OFF
    await driver.run_for(2)
    assert state(hass, CALLS_TODAY) == STATE_UNAVAILABLE
    assert state(hass, CALENDAR) == STATE_UNAVAILABLE
    await driver.run_for(900)

    assert reads(simulator, origin) == [
        900,
        960,
        1080,
        1320,
        1800,
        2700,
        2700,  # a dropped connection: aiohttp sends a GET once more
        3600,
        4500,
        5400,
    ]
    assert state(hass, CALLS_TODAY) == "3"
    assert state(hass, CALENDAR) == STATE_OFF


@pytest.mark.freeze_time(FROZEN)
async def test_first_read_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """Without a first read the entities are unavailable; a later read brings them."""
    simulator.inject("call_history_v2", Fault.http(502))
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()

    assert state(hass, CALENDAR) == STATE_UNAVAILABLE
    assert state(hass, CALLS_TODAY) == STATE_UNAVAILABLE
    await driver.run_for(61)

    assert reads(simulator, origin) == [60]
    assert state(hass, CALLS_TODAY) == "3"


@pytest.mark.parametrize(
    ("limited", "pause", "history_reads", "destination_reads"),
    [
        # Limited at 900 s until 1500 s: which phone rings, read every 5 minutes, waits
        # with its read due at 1200 s for the end.
        ("call_history_v2", 600, [900, 1500], [1500, 1800]),
        # Limited at 300 s until 1200 s: the history's read due at 900 s waits for the end.
        ("get_destinations", 900, [1200], [1200, 1500, 1800]),
    ],
    ids=["of_the_history", "elsewhere"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_rate_limit_pauses_every_read(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
    limited: str,
    pause: int,
    history_reads: list[int],
    destination_reads: list[int],
) -> None:
    """A 429 of any read of the account, the history's too, pauses them all as long."""
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()
    simulator.inject(limited, Fault.rate_limited(str(pause)))

    await driver.run_for(30 * 60 + 5)

    assert reads(simulator, origin) == history_reads
    limited_at = next(
        request.at
        for request in simulator.requests
        if request.endpoint == limited and request.at > origin
    )
    destinations = [
        request.at
        for request in simulator.requests
        if request.endpoint == "get_destinations" and request.at > limited_at
    ]
    assert not [at for at in destinations if at < limited_at + pause - 1]
    assert [round(at - origin) for at in destinations] == destination_reads
    assert state(hass, CALLS_TODAY) == "3"


@pytest.mark.parametrize(
    ("faults", "endpoints"),
    [
        ([("call_history_v2", 404), ("call_history_v1", 404)], HISTORY),
        ([("call_history_v2", 403), ("call_history_v1", 403)], HISTORY),
    ],
    ids=["no_lists", "forbidden"],
)
@pytest.mark.freeze_time(FROZEN)
async def test_account_without_history(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
    faults: list[tuple[str, int]],
    endpoints: tuple[str, ...],
) -> None:
    """An account without a call list gets no calendar or counts, and is never asked again."""
    for endpoint, status in faults:
        simulator.inject(endpoint, Fault.http(status))
    await set_up(hass, mock_config_entry)

    await driver.run_for(3600)

    assert hass.states.get(CALENDAR) is None
    assert hass.states.get(CALLS_TODAY) is None
    assert mock_config_entry.runtime_data.history is None
    assert [r.endpoint for r in simulator.requests if r.endpoint in endpoints] == list(
        endpoints
    )


@pytest.mark.freeze_time(FROZEN)
async def test_fallback_to_v1(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A platform without the v2 list is read through v1 (tests/test_history_lists.py)."""
    simulator.history.without_v2.add(DEFAULT_EMAIL)
    await set_up(hass, mock_config_entry)

    await driver.run_for(15 * 60 + 5)

    assert [endpoint for endpoint, _ in simulator.history.queries] == [
        "call_history_v2",
        "call_history_v1",
        "call_history_v2",
        "call_history_v1",
    ]
    assert state(hass, CALLS_TODAY) == "3"
    # v1 does not tell a call answered elsewhere apart: it is missed there.
    assert state(hass, MISSED_TODAY) == "1"


@pytest.mark.freeze_time(FROZEN)
async def test_revoked_token(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A token refused by the call lists asks for a new one."""
    await set_up(hass, mock_config_entry)
    simulator.inject("call_history_v2", Fault.http(401))
    simulator.inject("call_history_v1", Fault.http(401))

    await driver.run_for(15 * 60 + 5)

    assert reauth_flows(hass, mock_config_entry)


@pytest.mark.freeze_time(FROZEN)
async def test_forbidden_later_is_a_failure(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    driver: TimeDriver,
) -> None:
    """A 403 after a good first read is a failed read: kept, retried after a minute."""
    await set_up(hass, mock_config_entry)
    origin = hass.loop.time()
    simulator.inject("call_history_v2", Fault.http(403))
    simulator.inject("call_history_v1", Fault.http(403))

    await driver.run_for(16 * 60 + 1)

    assert reads(simulator, origin) == [900, 900, 960]
    assert state(hass, CALLS_TODAY) == "3"
    assert not reauth_flows(hass, mock_config_entry)


@pytest.mark.freeze_time(FROZEN)
async def test_unusable_records(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records the client cannot use are left out and counted, once in the debug log."""
    caplog.set_level("DEBUG", "custom_components.clicktodial")
    simulator.history.add(DEFAULT_EMAIL, direction="inbound", extra={"start_time": "?"})
    simulator.history.add(
        DEFAULT_EMAIL, direction="sideways", duration=5, answered=True
    )

    await set_up(hass, mock_config_entry)

    assert state(hass, CALLS_TODAY) == "4"
    assert "1 records of the call list could not be used" in caplog.text


# -- diagnostics -------------------------------------------------------------------------


@pytest.mark.freeze_time(FROZEN)
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Diagnostics count the calls; no number, name or secret."""
    assert await async_setup_component(hass, "diagnostics", {})
    await set_up(hass, mock_config_entry)

    result = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert result["call_history"] == {
        "api": "v2",
        "calls": 4,
        "calls_today": 3,
        "missed_calls_today": 1,
        "skipped_records": 0,
        "complete": True,
        "newest": "2026-11-26T11:00:00+00:00",
        "last_update_success": True,
    }
    dump = json.dumps(result)
    for secret in (DEFAULT_TOKEN, DEFAULT_EMAIL, "Bakker", "612345678", "508009899"):
        assert secret not in dump
