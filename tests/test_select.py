"""Tests of the "Phone that rings" select: which of the user's phones rings."""

from __future__ import annotations

from itertools import pairwise
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.clicktodial.const import DOMAIN
from custom_components.clicktodial.reads.destinations import (
    NOT_AVAILABLE,
    destination_label,
    destination_options,
)
from custom_components.clicktodial.voipgrid import (
    Destination,
    DestinationKind,
    Destinations,
    SelectedDestination,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    ATTR_OPTIONS,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_FRIENDLY_NAME,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from simulator import SCENARIOS, Account, Fault, Simulator

from .conftest import ACCOUNT_UUID
from .helpers import advance, reauth_flows, set_up, start_call, state

SELECT = "select.demo_user_phone_that_rings"
SENSOR = "sensor.demo_user_call_status"
EVENT = "event.demo_user_call"
DESK = "Desk (201)"
SOFTPHONE = "Softphone (202)"
MOBILE = "Mobile (+31612345678)"
OPTIONS = [DESK, SOFTPHONE, MOBILE, NOT_AVAILABLE]


async def choose(hass: HomeAssistant, option: str) -> None:
    """Choose an option of the select, as a dashboard or an automation does."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: SELECT, ATTR_OPTION: option},
        blocking=True,
    )


async def update(hass: HomeAssistant, entity_id: str = SELECT) -> None:
    """Ask for an update of an entity, as the homeassistant.update_entity action does."""
    await hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done()


def reads(simulator: Simulator) -> list[float]:
    """Return when which phone rings was read, on the simulator's clock."""
    return [r.at for r in simulator.requests if r.endpoint == "get_destinations"]


async def advance_until(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: float, step: float = 1
) -> None:
    """Move time until the loop's clock reaches ``when``."""
    if (left := when - hass.loop.time()) > 0:
        await advance(hass, freezer, left, step=step)


# -- the entity ------------------------------------------------------------------------


@pytest.mark.freeze_time("2026-11-26 12:00:00+00:00")
async def test_entity(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One select on the account's device: the user's phones, the desk phone rings."""
    await set_up(hass, mock_config_entry, Platform.SELECT)
    await snapshot_platform(hass, entity_registry, snapshot, mock_config_entry.entry_id)

    current = hass.states.get(SELECT)
    assert current is not None
    assert current.state == DESK
    assert current.attributes[ATTR_OPTIONS] == OPTIONS
    assert current.attributes[ATTR_FRIENDLY_NAME] == "Demo User Phone that rings"
    entity = entity_registry.async_get(SELECT)
    assert entity is not None
    assert entity.unique_id == f"{ACCOUNT_UUID}_phone_that_rings"
    assert entity.translation_key == "phone_that_rings"
    device = dr.async_get(hass).async_get(entity.device_id or "")
    assert device is not None
    assert device.identifiers == {(DOMAIN, ACCOUNT_UUID)}
    assert device.name == "Demo User"
    assert simulator.count("get_destinations") == 1


async def test_one_select_per_account(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    second_entry: MockConfigEntry,
) -> None:
    """Each account has its own select, showing its own user's phone."""
    second: Account = simulator.accounts["second@example.com"]
    second.selected_phoneaccount = None
    await set_up(hass, second_entry)

    assert state(hass, SELECT) == DESK
    assert hass.states.get("select.second_user_phone_that_rings").state == (
        NOT_AVAILABLE
    )
    assert [
        r.email for r in simulator.requests if r.endpoint == "get_destinations"
    ] == [
        "demo@example.com",
        "second@example.com",
    ]


@pytest.mark.parametrize(
    ("phoneaccount", "fixeddestination", "expected"),
    [
        (101, None, DESK),
        ("102", None, SOFTPHONE),
        (None, 55, MOBILE),
        (None, None, NOT_AVAILABLE),
    ],
    ids=["desk", "softphone_string_id", "mobile", "nobody"],
)
async def test_state_is_the_selection(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
    phoneaccount: int | str | None,
    fixeddestination: int | None,
    expected: str,
) -> None:
    """The state is the option of the platform's selection; none selected: not available."""
    account.selected_phoneaccount = phoneaccount
    account.selected_fixeddestination = fixeddestination
    await set_up(hass, mock_config_entry)

    assert state(hass, SELECT) == expected


async def test_unknown_selection(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A selection that is none of the user's phones is unknown, with one warning."""
    account.selected_phoneaccount = 999
    await set_up(hass, mock_config_entry)

    assert state(hass, SELECT) == STATE_UNKNOWN
    assert hass.states.get(SELECT).attributes[ATTR_OPTIONS] == OPTIONS
    await advance(hass, freezer, 301, step=10)
    assert simulator.count("get_destinations") == 2
    assert state(hass, SELECT) == STATE_UNKNOWN
    warnings = [
        record
        for record in caplog.records
        if record.levelno == logging.WARNING and "not among" in record.getMessage()
    ]
    assert len(warnings) == 1
    assert "phone account 999" in warnings[0].getMessage()

    account.selected_phoneaccount = 102
    await advance(hass, freezer, 301, step=10)
    assert state(hass, SELECT) == SOFTPHONE


def destination(
    id_: str,
    number: str | None,
    description: str | None,
    kind: DestinationKind = DestinationKind.PHONE_ACCOUNT,
) -> Destination:
    """Return a destination for the label tests."""
    return Destination(id=id_, kind=kind, number=number, description=description)


@pytest.mark.parametrize(
    ("item", "label"),
    [
        (destination("1", "201", "Desk"), "Desk (201)"),
        (destination("1", "201", None), "201"),
        (destination("1", None, "Desk"), "Desk"),
        (destination("7", None, None), "[7]"),
    ],
)
def test_label(item: Destination, label: str) -> None:
    """A phone is shown as its description and number, or what it has of them."""
    assert destination_label(item) == label


def test_labels_unique() -> None:
    """Labels that collide get the id of the later phone added; not_available stays."""
    fixed = DestinationKind.FIXED_DESTINATION
    destinations = Destinations(
        phone_accounts=(
            destination("1", "201", "Desk"),
            destination("2", "201", "Desk"),
            destination("3", None, NOT_AVAILABLE),
        ),
        fixed_destinations=(
            destination("2", "201", "Desk", fixed),
            destination("9", "+31612345678", None, fixed),
        ),
        selected=SelectedDestination(id="1"),
    )

    options = destination_options(destinations)

    assert list(options) == [
        "Desk (201)",
        "Desk (201) [2]",
        "not_available [3]",
        "Desk (201) [2] [2]",
        "+31612345678",
        NOT_AVAILABLE,
    ]
    assert options[NOT_AVAILABLE] is None
    assert options["Desk (201) [2] [2]"] == destination("2", "201", "Desk", fixed)


async def test_options_follow_the_platform(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A phone added on the platform is an option after the next read."""
    await set_up(hass, mock_config_entry)
    account.fixed_destinations.append(
        {"id": 56, "phonenumber": "31201234567", "description": "Home"}
    )
    account.phone_accounts[1]["description"] = "Desk"
    await advance(hass, freezer, 301, step=10)

    assert hass.states.get(SELECT).attributes[ATTR_OPTIONS] == [
        DESK,
        "Desk (202)",
        MOBILE,
        "Home (+31201234567)",
        NOT_AVAILABLE,
    ]


# -- choosing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "body"),
    [
        (SOFTPHONE, {"phoneaccount": 102, "fixeddestination": None}),
        (MOBILE, {"phoneaccount": None, "fixeddestination": 55}),
        (NOT_AVAILABLE, {"phoneaccount": None, "fixeddestination": None}),
        (DESK, {"phoneaccount": 101, "fixeddestination": None}),
    ],
    ids=["softphone", "mobile", "not_available", "desk_again"],
)
async def test_choose(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
    option: str,
    body: dict[str, Any],
) -> None:
    """A choice is sent with exactly one id (none: not available), shown, read back."""
    states: list[str] = []

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == SELECT and event.data["new_state"]:
            states.append(event.data["new_state"].state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, changed)
    before = len(simulator.requests)

    await choose(hass, option)

    sent = simulator.requests[before:]
    assert [(r.endpoint, r.method) for r in sent] == [
        ("set_destination", "PUT"),
        ("get_destinations", "GET"),  # read back right after the change
    ]
    assert sent[0].path == "/api/selecteduserdestination/9/"
    assert json.dumps(sent[0].body) == json.dumps(body)  # both keys, numbers as numbers
    assert (account.selected_phoneaccount, account.selected_fixeddestination) == (
        body["phoneaccount"],
        body["fixeddestination"],
    )
    assert state(hass, SELECT) == option
    assert states == ([option] if option != DESK else [])  # no flicker back


async def test_choice_shown_at_once(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
) -> None:
    """The new state is shown on success, before the platform is read again."""
    seen: list[tuple[str, int]] = []

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == SELECT and event.data["new_state"]:
            reads_so_far = simulator.count("get_destinations")
            seen.append((event.data["new_state"].state, reads_so_far))

    hass.bus.async_listen(EVENT_STATE_CHANGED, changed)

    await choose(hass, MOBILE)

    assert seen == [(MOBILE, 1)]
    assert simulator.count("get_destinations") == 2


async def test_choose_unknown_option(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """An option that is not one of the phones is refused before anything is sent."""
    with pytest.raises(ServiceValidationError):
        await choose(hass, "Fax (299)")

    assert simulator.count("set_destination") == 0


@pytest.mark.parametrize(
    ("fault", "key", "message"),
    [
        (
            Fault.http(400, {"error": "The mobile cannot be chosen now"}),
            "destination_rejected",
            r"^The platform refused the choice of phone: The mobile cannot be chosen "
            r"now$",
        ),
        (
            Fault.http(403, {"detail": "No permission."}),
            "destination_forbidden",
            r"^The platform refused the choice of phone: this account may not choose "
            r"which phone rings$",
        ),
        (
            Fault.http(404, {"detail": "Not found."}),
            "destination_not_found",
            r"^The platform no longer knows this account's choice of phone",
        ),
        (
            Fault.rate_limited("42"),
            "rate_limited",
            r"^Too many requests to the platform; retry in 42 s$",
        ),
        (
            Fault.http(500, {"detail": "Server error."}),
            "cannot_connect",
            r"^Cannot reach the platform$",
        ),
        (Fault.connection_reset(), "cannot_connect", r"^Cannot reach the platform$"),
        (Fault.malformed(502), "cannot_connect", r"^Cannot reach the platform$"),
    ],
    ids=["400", "403", "404", "429", "500", "dropped", "502"],
)
async def test_choose_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
    fault: Fault,
    key: str,
    message: str,
) -> None:
    """A refused or failed choice is a translated error; the state stays as it was."""
    simulator.inject("set_destination", fault, times=2)

    with pytest.raises(HomeAssistantError, match=message) as exc_info:
        await choose(hass, MOBILE)

    assert exc_info.value.translation_key == key
    assert state(hass, SELECT) == DESK
    assert account.selected_phoneaccount == 101
    assert simulator.count("get_destinations") == 1  # nothing to read back
    assert reauth_flows(hass, init_integration) == []


async def test_choose_with_refused_token(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
) -> None:
    """A refused token fails the choice, asks to re-enter it and starts reauth."""
    account.revoked = True

    with pytest.raises(
        HomeAssistantError,
        match=r"^The platform refused the choice of phone: the API token is no longer "
        r"accepted. Re-enter it under Settings > Devices & services$",
    ) as exc_info:
        await choose(hass, SOFTPHONE)

    assert exc_info.value.translation_key == "destination_auth_failed"
    await hass.async_block_till_done()
    assert len(reauth_flows(hass, init_integration)) == 1
    assert state(hass, SELECT) == DESK


async def test_choice_refused_by_the_platform(
    hass: HomeAssistant,
    simulator: Simulator,
    account: Account,
    init_integration: MockConfigEntry,
) -> None:
    """A phone removed on the platform meanwhile is refused in the platform's words."""
    account.fixed_destinations.clear()

    with pytest.raises(HomeAssistantError, match=r'Invalid pk "55"') as exc_info:
        await choose(hass, MOBILE)

    assert exc_info.value.translation_key == "destination_rejected"
    assert state(hass, SELECT) == DESK


# -- freshness -------------------------------------------------------------------------


async def test_read_every_five_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Which phone rings is read at setup and every 5 minutes: a switch elsewhere shows."""
    await set_up(hass, mock_config_entry)
    assert simulator.count("get_destinations") == 1
    setup_read = hass.loop.time()

    account.selected_phoneaccount = None
    account.selected_fixeddestination = 55  # switched in the platform's app
    await advance_until(hass, freezer, setup_read + 298, step=2)
    assert simulator.count("get_destinations") == 1
    assert state(hass, SELECT) == DESK
    await advance_until(hass, freezer, setup_read + 301, step=0.5)
    assert simulator.count("get_destinations") == 2
    assert state(hass, SELECT) == MOBILE

    await advance(hass, freezer, 1805, step=1)
    times = reads(simulator)
    assert len(times) == 2 + 6
    gaps = [later - earlier for earlier, later in pairwise(times[1:])]
    assert all(299 <= gap <= 301.5 for gap in gaps), gaps


async def test_change_reschedules_the_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """After a change and its read back, the next read is 5 minutes later."""
    await set_up(hass, mock_config_entry)
    await advance(hass, freezer, 200, step=10)
    await choose(hass, SOFTPHONE)
    chosen = hass.loop.time()
    await advance_until(hass, freezer, chosen + 298, step=2)
    assert simulator.count("get_destinations") == 2
    await advance_until(hass, freezer, chosen + 301, step=0.5)
    assert simulator.count("get_destinations") == 3


async def test_failed_reads_keep_state_then_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Failed reads back off and keep the state; unavailable after 15 minutes of them.

    The call entities never notice; the next good read makes the select available.
    """
    await set_up(hass, mock_config_entry)
    setup_read = hass.loop.time()
    simulator.inject("get_destinations", Fault.http(500, {"detail": "boom"}), times=3)
    simulator.inject("get_destinations", Fault.malformed(), times=2)
    simulator.inject("get_destinations", Fault.http(503), times=100)
    await advance_until(hass, freezer, setup_read + 302, step=2)
    assert simulator.count("get_destinations") == 2
    first_failure = reads(simulator)[-1]

    await advance_until(hass, freezer, first_failure + 895, step=1)
    assert state(hass, SELECT) == DESK
    assert hass.states.get(SENSOR).state != STATE_UNAVAILABLE
    assert "Error fetching clicktodial destinations" not in caplog.text
    await advance_until(hass, freezer, first_failure + 901, step=0.5)
    assert state(hass, SELECT) == STATE_UNAVAILABLE
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN  # never unavailable
    assert hass.states.get(EVENT).state == STATE_UNKNOWN
    assert (
        "Reading which phone rings from the platform has failed for 15 minutes"
        in caplog.text
    )

    # Backed off: 30 s, doubling, at most 5 minutes; the deciding read on time.
    failing = [at for at in reads(simulator) if at >= first_failure]
    gaps = [later - earlier for earlier, later in pairwise(failing)]
    expected = [30, 60, 120, 240, 300]
    assert len(gaps) == len(expected) + 1, gaps
    assert 899 <= failing[-1] - first_failure <= 901.5
    assert all(
        want - 1 <= gap <= want + 1.5 for gap, want in zip(gaps, expected, strict=False)
    ), gaps

    simulator.clear_faults()
    await advance(hass, freezer, 301, step=5)
    assert state(hass, SELECT) == DESK
    assert "Fetching clicktodial destinations data recovered" in caplog.text


async def test_first_read_fails(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Without a first good read the select is unavailable until a retry succeeds."""
    simulator.inject("get_destinations", Fault.http(500, {"detail": "boom"}))
    await set_up(hass, mock_config_entry)

    assert state(hass, SELECT) == STATE_UNAVAILABLE
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN
    await advance(hass, freezer, 31, step=1)
    assert simulator.count("get_destinations") == 2
    assert state(hass, SELECT) == DESK


async def test_refused_token_on_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A refused token on a read starts reauth; the call entities stay as they were."""
    await set_up(hass, mock_config_entry)
    account.revoked = True
    await advance(hass, freezer, 301, step=10)

    assert state(hass, SELECT) == STATE_UNAVAILABLE
    assert len(reauth_flows(hass, mock_config_entry)) == 1
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN
    # No more reads until the token is renewed.
    await advance(hass, freezer, 900, step=30)
    assert simulator.count("get_destinations") == 2


@pytest.mark.parametrize(
    "fault",
    [Fault.http(404, {"detail": "Not found."}), Fault.http(403, {"detail": "No."})],
    ids=["404", "403"],
)
async def test_no_such_feature(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
) -> None:
    """An account whose first read answers 404 or 403 has no select, and a debug line."""
    caplog.set_level(logging.DEBUG, logger="custom_components.clicktodial")
    simulator.inject("get_destinations", fault)
    await set_up(hass, mock_config_entry)

    assert hass.states.get(SELECT) is None
    assert entity_registry.async_get(SELECT) is None
    assert mock_config_entry.runtime_data.destinations is None
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN
    lines = [r for r in caplog.records if "cannot choose which phone" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.DEBUG]
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("custom_components")
    ]
    await advance(hass, freezer, 3600, step=60)
    assert simulator.count("get_destinations") == 1


async def test_later_404_is_a_failure(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 404 after a good first read is a failed read like any other."""
    await set_up(hass, mock_config_entry)
    simulator.inject("get_destinations", Fault.http(404, {"detail": "Not found."}))
    await advance(hass, freezer, 301, step=10)
    assert simulator.count("get_destinations") == 2
    assert state(hass, SELECT) == DESK
    await advance(hass, freezer, 32, step=1)  # the retry, 30 s later
    assert simulator.count("get_destinations") == 3


async def test_unload_stops_reading(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An unloaded account no longer reads which phone rings."""
    await set_up(hass, mock_config_entry)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await advance(hass, freezer, 900, step=30)

    assert simulator.count("get_destinations") == 1
    assert state(hass, SELECT) == STATE_UNAVAILABLE


# -- one rate limit for the account ---------------------------------------------------------


async def test_rate_limited_read_pauses_call_tracking(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 429 on reading which phone rings pauses the call status reads too."""
    assert await async_setup_component(hass, "homeassistant", {})
    await set_up(hass, mock_config_entry)
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    await advance(hass, freezer, 12)
    assert hass.states.get(SENSOR).state == "connected"

    simulator.inject("get_destinations", Fault.rate_limited("60"))
    await update(hass)
    limited_at = reads(simulator)[-1]
    polls = simulator.count("get_call")
    await advance(hass, freezer, 58, step=1)
    assert simulator.count("get_call") == polls
    assert simulator.count("get_destinations") == 2  # the retry waits for it too
    assert state(hass, SELECT) == DESK
    await advance(hass, freezer, 4, step=0.5)
    assert simulator.count("get_call") > polls
    assert reads(simulator)[-1] - limited_at >= 60
    assert hass.states.get(SENSOR).state == "connected"


async def test_rate_limited_call_tracking_pauses_reads(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    account: Account,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 429 on call status reads pauses reading which phone rings; a choice still goes."""
    assert await async_setup_component(hass, "homeassistant", {})
    await set_up(hass, mock_config_entry)
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    simulator.inject("get_call", Fault.rate_limited("600"))
    await advance(hass, freezer, 1)
    assert simulator.count("get_call") == 1

    await update(hass)  # asking for an update does not bypass the pause
    await advance(hass, freezer, 400, step=10)  # nor does the 5-minute read
    assert simulator.count("get_destinations") == 1
    assert state(hass, SELECT) == DESK

    await choose(hass, NOT_AVAILABLE)  # a person's choice is still sent
    assert simulator.count("set_destination") == 1
    assert account.selected_phoneaccount is None
    assert state(hass, SELECT) == NOT_AVAILABLE
    assert simulator.count("get_destinations") == 1  # its read back waits

    await advance(hass, freezer, 205, step=5)
    assert simulator.count("get_destinations") == 2
    assert state(hass, SELECT) == NOT_AVAILABLE


async def test_rate_limited_choice_pauses_reads(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A 429 on a choice pauses the reads of which phone rings and of calls."""
    await set_up(hass, mock_config_entry)
    simulator.script_next_call(SCENARIOS["long"])
    await start_call(hass)
    await advance(hass, freezer, 1)
    simulator.inject("set_destination", Fault.rate_limited("120"))

    with pytest.raises(HomeAssistantError, match="retry in 120 s"):
        await choose(hass, SOFTPHONE)

    polls = simulator.count("get_call")
    await advance(hass, freezer, 118, step=1)
    assert simulator.count("get_call") == polls
    await advance(hass, freezer, 3, step=0.5)
    assert simulator.count("get_call") > polls
    await advance(hass, freezer, 200, step=10)
    assert simulator.count("get_destinations") == 2  # the 5-minute read, after it


async def test_outage_rule_counts_while_rate_limited(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """A read limited for longer than 15 minutes makes the select unavailable on time."""
    await set_up(hass, mock_config_entry)
    simulator.inject("get_destinations", Fault.rate_limited("3600"))
    assert await async_setup_component(hass, "homeassistant", {})
    await update(hass)
    limited_at = reads(simulator)[-1]

    await advance_until(hass, freezer, limited_at + 895, step=5)
    assert state(hass, SELECT) == DESK
    await advance_until(hass, freezer, limited_at + 901, step=0.5)
    assert state(hass, SELECT) == STATE_UNAVAILABLE
    assert simulator.count("get_destinations") == 2
    await advance_until(hass, freezer, limited_at + 3605, step=60)
    assert state(hass, SELECT) == DESK


async def test_updates_and_choices_honour_the_backoff(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """During an outage, entity updates and choices read no sooner than the backoff.

    Each choice is still sent; only the read back waits.
    """
    await set_up(hass, mock_config_entry)
    assert await async_setup_component(hass, "homeassistant", {})
    simulator.inject("get_destinations", Fault.http(503), times=100)
    before = len(reads(simulator))
    await update(hass)
    first_failure = reads(simulator)[-1]

    # A minute of an automation updating the select every 5 s and choosing every 10 s.
    for second in range(5, 61, 5):
        await advance(hass, freezer, 5, step=5)
        await update(hass)
        if second % 10 == 0:
            await choose(hass, SOFTPHONE if second % 20 else DESK)

    assert simulator.count("set_destination") == 6
    failing = reads(simulator)[before:]
    # The failure, then the retries after 30 s and after 60 s more (at 90 s): one.
    assert len(failing) == 2, failing
    assert 29 <= failing[1] - first_failure <= 31.5


# -- diagnostics -----------------------------------------------------------------------


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """Diagnostics show which phone rings by id, without numbers or descriptions."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)

    destinations = result["destinations"]
    assert destinations["last_update_success"] is True
    assert destinations["data"]["selected"] == {
        "id": "9",
        "phoneaccount": "101",
        "fixeddestination": None,
    }
    assert [item["id"] for item in destinations["data"]["phone_accounts"]] == [
        "101",
        "102",
    ]
    dump = json.dumps(destinations)
    for secret in ("201", "202", "612345678", "Desk", "Softphone", "Mobile"):
        assert secret not in dump


async def test_diagnostics_without_feature(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An account that cannot choose its phone has no destinations in diagnostics."""
    simulator.inject("get_destinations", Fault.http(404))
    await set_up(hass, mock_config_entry)

    result = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert result["destinations"] is None
