"""Tests of what a new user met: who a call is with, no second call, calling back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.clicktodial.const import (
    CONF_CALL_NOTIFICATIONS,
    CONF_WHOLE_COMPANY,
    DOMAIN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from simulator import Simulator

from .contact_helpers import ALICE, with_contacts
from .helpers import advance
from .notification_helpers import (
    CALLER,
    PHONE,
    PHONE_CALLS,
    account_entry,
    async_setup,
    notification,
    post,
    webhook_path,
)

STATUS = "sensor.demo_user_call_status"
SELECT = "select.demo_user_phone_that_rings"


async def call(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Run the ``clicktodial.call`` action; return its response."""
    response = await hass.services.async_call(
        DOMAIN, "call", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


@pytest.fixture
async def alice(
    hass: HomeAssistant,
    client: TestClient,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """Set up the account following its calls, with Alice as a contact (in NL)."""
    await hass.config.async_update(country="NL")
    base = account_entry(simulator)
    entry = with_contacts(base, ALICE)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=dict(base.options))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


def record(hass: HomeAssistant, entity_id: str) -> list[str]:
    """Collect the states an entity takes from now on."""
    states: list[str] = []

    @callback
    def listener(event: Event) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"]:
            states.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", listener)
    return states


# -- who the call is with ----------------------------------------------------------------


@pytest.mark.usefixtures("alice")
async def test_phone_and_status_name_the_other_party(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call dialled by number names Alice, not the user, on the Phone and the status."""
    simulator.push_started_calls = True
    await call(hass, b_number="050 800 9899")
    await advance(hass, freezer, 15)

    status = hass.states.get(STATUS)
    assert status.attributes["contact"] is None  # not called as a contact
    assert status.attributes["other_name"] == "Alice"
    assert status.attributes["other_number"] == "0508009899"
    phone = hass.states.get(PHONE)
    assert phone.state == "in_call"
    # The platform pushes a call out with the user as its caller.
    assert phone.attributes["caller_name"] == "Demo User"
    assert phone.attributes["other_name"] == "Alice"
    assert phone.attributes["other_number"] == "0508009899"
    await advance(hass, freezer, 40)
    assert hass.states.get(PHONE).attributes["other_name"] is None

    # A call in: the caller is the other party.
    simulator.start_ring("answered", speed=0)
    await simulator.wait_played()
    await hass.async_block_till_done()
    attributes = hass.states.get(PHONE_CALLS).attributes
    assert attributes["other_number"] == CALLER
    assert attributes["other_name"] == "Bakker | Voys"


# -- no split-second ringing -------------------------------------------------------------


async def test_not_available_never_rings(
    hass: HomeAssistant, client: TestClient, simulator: Simulator
) -> None:
    """Not available, a call in rings no phone: the Phone never says ringing.

    Also while the whole company's calls are followed (the call is).
    """
    entry = account_entry(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_CALL_NOTIFICATIONS: True, CONF_WHOLE_COMPANY: True}
    )
    await async_setup(hass, entry)
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": SELECT, "option": "not_available"},
        blocking=True,
    )
    phone = record(hass, PHONE)
    events = record(hass, PHONE_CALLS)

    await simulator.ring("answered", speed=0)
    await hass.async_block_till_done()

    assert len(events) == 2  # incoming, then missed
    assert hass.states.get(PHONE_CALLS).attributes["event_type"] == "missed"
    assert "ringing" not in phone
    assert hass.states.get(PHONE).state == "idle"

    # Available again: it rings.
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": SELECT, "option": "Softphone (202)"},
        blocking=True,
    )
    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()
    assert "ringing" in phone


# -- no second call while talking --------------------------------------------------------


@pytest.mark.usefixtures("alice")
async def test_no_second_call_while_talking(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """While connected to Alice, calling her number or button is refused; force calls."""
    await call(hass, contact="Alice")
    await advance(hass, freezer, 12)
    assert hass.states.get(STATUS).state == "connected"

    for attempt, name in (
        (call(hass, b_number="0508009899"), "0508009899"),
        (
            hass.services.async_call(
                "button", "press", {"entity_id": "button.call_alice"}, blocking=True
            ),
            "Alice",
        ),
    ):
        with pytest.raises(ServiceValidationError) as exc_info:
            await attempt
        assert exc_info.value.translation_key == "call_in_progress"
        assert exc_info.value.translation_placeholders == {"name": name}
    assert simulator.count("start_call") == 1

    await call(hass, b_number="0508009899", force=True)
    assert simulator.count("start_call") == 2


# -- calling back ------------------------------------------------------------------------


@pytest.mark.usefixtures("alice")
async def test_call_back_a_pushed_call(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """A missed pushed call is called back by its id: the caller's number is called."""
    await simulator.ring("missed", speed=0)
    await hass.async_block_till_done()
    call_id = hass.states.get(PHONE_CALLS).attributes["call_id"]

    assert (await call(hass, call_id=call_id))["status"] == "setting_up"
    assert simulator.requests[-1].body["b_number"] == CALLER

    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, call_id="nobody-knows")
    assert exc_info.value.translation_key == "call_back_not_found"
    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, call_id=call_id, b_number=CALLER)
    assert exc_info.value.translation_key == "number_or_contact"
    # A hidden caller cannot be called back.
    await post(
        client,
        webhook_path(simulator),
        notification("ended", "hidden", caller=None, name=None),
    )
    with pytest.raises(ServiceValidationError) as exc_info:
        await call(hass, call_id="hidden")
    assert exc_info.value.translation_key == "call_back_no_number"


@pytest.mark.usefixtures("alice")
async def test_call_back_from_the_calendar(
    hass: HomeAssistant, simulator: Simulator, hass_client: ClientSessionGenerator
) -> None:
    """A calendar event's uid calls the other party back; a hidden number cannot be."""
    start = dt_util.utcnow() - timedelta(days=7)
    web = await hass_client()
    # As the frontend's calendar reads the events, uid included.
    answer = await web.get(
        "/api/calendars/calendar.demo_user_calls",
        params={
            "start": start.isoformat(),
            "end": (start + timedelta(days=8)).isoformat(),
        },
    )
    assert answer.status == 200
    by_summary = {event["summary"]: event["uid"] for event in await answer.json()}

    await call(hass, call_id=by_summary["Missed call from +31201234567"])
    assert simulator.requests[-1].body["b_number"] == "+31201234567"
    # Alice's number: called as Alice, with her settings.
    answer = await call(
        hass, call_id=by_summary["Call to Alice (+31508009899)"], force=True
    )
    assert answer["contact"] == "Alice"
