"""End to end: a call made from a dashboard shows on its calendar card of the calls.

A real Home Assistant and the platform simulator run on free loopback ports; the account
is added (through the config flow's REST API, unless an earlier test added it in the UI).
A dashboard holds a button that calls a number whose other side is not reached (the
simulator's ``...902``: rings, then fails after 26 s) and a calendar card of the account's
"Calls". Headless Chromium presses the button; once the call has ended, the calendar card
lists it beside the simulator's scripted calls of the day, without reloading the page.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest

from .harness import HA_PASSWORD, HA_USERNAME, HomeAssistant, http_json

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Steps

expect = pytest.importorskip("playwright.sync_api").expect

DASHBOARD_URL_PATH = "calls-calendar"
CALENDAR = "calendar.demo_user_calls"
CALLS_TODAY = "sensor.demo_user_calls_today"
SELECT = "select.demo_user_phone_that_rings"
DESK = "Desk (201)"
NUMBER = "+31508009902"  # the simulator rings it; it is not reached after 26 s
# The number is not reached, so the calendar says the call failed.
CALL_SUMMARY = f"Failed call to {NUMBER}"
BUTTON_NAME = "Call the shop"
TIMEOUT = 20.0
# The call ends 26 s after it starts, is seen within 2 s and read 5 s later.
CALL_TIMEOUT = 60.0

DASHBOARD = {
    "views": [
        {
            "title": "Calls",
            "path": "calls",
            "cards": [
                {
                    "type": "button",
                    "name": BUTTON_NAME,
                    "icon": "mdi:phone",
                    "tap_action": {
                        "action": "perform-action",
                        "perform_action": "clicktodial.call",
                        "data": {"b_number": NUMBER},
                    },
                },
                {
                    "type": "calendar",
                    "entities": [CALENDAR],
                    "initial_view": "listWeek",
                },
            ],
        }
    ]
}


def entity_state(hass: HomeAssistant, entity_id: str) -> str | None:
    """Return an entity's state through the REST API, None while it does not exist."""
    try:
        return str(
            http_json(f"{hass.url}/api/states/{entity_id}", token=hass.access_token)[
                "state"
            ]
        )
    except OSError:
        return None


def wait_for(condition: Any, what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something true; fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return result


def add_account(hass: HomeAssistant) -> None:
    """Add the simulator's account through the config flow, unless it is there already."""
    hass.add_account()
    wait_for(
        lambda: entity_state(hass, CALENDAR) not in (None, "unavailable"),
        "the calendar",
    )
    # A phone of the user must ring for the call to reach the number (an earlier test
    # may have left the user not available).
    if entity_state(hass, SELECT) != DESK:
        http_json(
            f"{hass.url}/api/services/select/select_option",
            {"entity_id": SELECT, "option": DESK},
            token=hass.access_token,
        )
        wait_for(lambda: entity_state(hass, SELECT) == DESK, "the desk phone to ring")


def create_dashboard(hass: HomeAssistant) -> None:
    """Create the dashboard with the button and the calendar card."""
    hass.save_dashboard(DASHBOARD_URL_PATH, "Calls", "mdi:calendar-account", DASHBOARD)


def log_in(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Open Home Assistant and log in on its login page."""
    page.goto(hass.url)
    page.get_by_role("textbox", name="Username").fill(HA_USERNAME)
    page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(home|lovelace)"))
    page.locator("#ha-launch-screen").wait_for(state="detached")
    steps.shot("calendar-logged-in")


def test_call_shows_on_the_calendar_card(
    home_assistant: HomeAssistant, page: Page, steps: Steps
) -> None:
    """Press the dashboard's call button: the ended call appears on the calendar card."""
    add_account(home_assistant)
    create_dashboard(home_assistant)
    calls_before = int(entity_state(home_assistant, CALLS_TODAY) or 0)

    log_in(page, home_assistant, steps)
    page.goto(f"{home_assistant.url}/{DASHBOARD_URL_PATH}/calls")
    page.locator("#ha-launch-screen").wait_for(state="detached")
    card = page.locator("hui-calendar-card")
    # The simulator's scripted calls of the day, read at set-up.
    expect(card.get_by_text("Missed call from +31201234567").first).to_be_visible()
    expect(card.get_by_text(CALL_SUMMARY)).to_have_count(0)
    steps.shot("calendar-before-the-call")

    page.locator("hui-button-card").filter(has_text=BUTTON_NAME).click()
    wait_for(
        lambda: any(
            call.get("b_number") == NUMBER
            for call in [
                http_json(
                    f"{home_assistant.url}/api/states/sensor.demo_user_call_status",
                    token=home_assistant.access_token,
                )["attributes"]
            ]
        ),
        "the call to start",
    )

    expect(card.get_by_text(CALL_SUMMARY)).to_be_visible(timeout=CALL_TIMEOUT * 1000)
    card.scroll_into_view_if_needed()
    steps.shot("calendar-with-the-call")
    # The same read may also list calls an earlier test made after the count was read.
    assert int(entity_state(home_assistant, CALLS_TODAY) or 0) >= calls_before + 1
    latest = http_json(
        f"{home_assistant.url}/api/states/{CALENDAR}", token=home_assistant.access_token
    )["attributes"]
    assert latest["message"] == CALL_SUMMARY
    assert latest["description"].startswith("Outgoing, not answered")
