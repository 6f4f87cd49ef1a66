"""End to end: the dashboard's "Stop call" tile and its caller ID dropdown.

A real Home Assistant and the platform simulator run on free loopback ports; the account
is added (through the config flow's REST API, unless an earlier test added it in the UI)
and the dashboard of ``docs/dashboard.yaml`` is created. In headless Chromium a call that
rings forever is stopped with the "Stop call" tile (the simulator, asked over its own API,
must say the call is disconnected), and a caller ID is picked in the "Caller ID" tile's
dropdown, which the next call must send.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any
import urllib.error
import urllib.request

import pytest
import yaml

from .harness import API_TOKEN, EMAIL, HA_PASSWORD, HA_USERNAME, REPO, http_json

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Steps
    from .harness import HomeAssistant

expect = pytest.importorskip("playwright.sync_api").expect

DASHBOARD_YAML = REPO / "docs" / "dashboard.yaml"
DASHBOARD_URL_PATH = "reception-desk"
STATUS = "sensor.demo_user_call_status"
CALLER_ID = "select.demo_user_caller_id"
# The simulator rings the user's own phone forever for a number ending in 905.
RINGS_FOREVER = "+31508009905"
SALES = "Sales (+31508009010)"
TIMEOUT = 20.0


def wait_for(condition: Any, what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return result


def call_on_platform(hass: HomeAssistant, call_id: str) -> dict[str, Any]:
    """Return a call as the simulator describes it, over its own API."""
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        f"{hass.simulator_url}/api/clicktodial/{call_id}/",
        headers={"Authorization": f"Token {EMAIL}:{API_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        call = json.loads(response.read())
    assert isinstance(call, dict)
    return call


def start_call(hass: HomeAssistant) -> str:
    """Start a call that rings the desk phone (201) forever; return its id."""
    answer = http_json(
        f"{hass.url}/api/services/clicktodial/call?return_response",
        {"b_number": RINGS_FOREVER, "a_number": "201"},
        token=hass.access_token,
    )
    return str(answer["service_response"]["call_id"])


def set_up(hass: HomeAssistant) -> None:
    """Add the simulator's account (unless there) and the dashboard of docs/dashboard.yaml."""
    hass.add_account()
    wait_for(lambda: _state(hass, CALLER_ID) not in (None, "unavailable"), "the select")
    hass.save_dashboard(
        DASHBOARD_URL_PATH,
        "Reception desk",
        "mdi:phone",
        yaml.safe_load(DASHBOARD_YAML.read_text()),
    )


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    """Return an entity's state, or None while it does not exist."""
    try:
        return hass.entity_state(entity_id)
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def open_dashboard(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Log in and open the dashboard."""
    page.goto(hass.url)
    page.get_by_role("textbox", name="Username").fill(HA_USERNAME)
    page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(home|lovelace)"))
    page.locator("#ha-launch-screen").wait_for(state="detached")
    page.goto(f"{hass.url}/{DASHBOARD_URL_PATH}/calls")
    expect(page.locator("hui-tile-card").filter(has_text="Stop call")).to_be_visible()
    steps.shot("reception-dashboard")


def test_stop_call_and_caller_id_from_the_dashboard(
    home_assistant: HomeAssistant, page: Page, steps: Steps
) -> None:
    """Stop a ringing call with the tile; pick a caller ID that the next call sends."""
    hass = home_assistant
    set_up(hass)
    open_dashboard(page, hass, steps)

    call_id = start_call(hass)
    wait_for(lambda: hass.entity_state(STATUS) == "dialing_a", "the phone to ring")
    status = page.locator("hui-tile-card").filter(has_text="Call status")
    expect(status).to_contain_text("Ringing your phone")
    steps.shot("reception-ringing")

    page.locator("hui-tile-card").filter(has_text="Stop call").click()

    expect(status).to_contain_text("Ended")
    assert call_on_platform(hass, call_id)["status"] == "disconnected"
    assert hass.entity_state(STATUS) == "disconnected"
    steps.shot("reception-stopped")

    tile = page.locator("hui-tile-card").filter(has_text="Caller ID")
    menu = tile.locator("hui-select-options-card-feature ha-control-select-menu")
    expect(menu.locator("button")).to_contain_text("Platform setting")
    menu.locator("button").click()
    # The platform's setting and default_number, translated; the account's numbers.
    expect(menu.get_by_role("menuitem")).to_have_text(
        [
            "Platform setting",
            "The account's default number",
            "Main number (+31508009000)",
            SALES,
        ]
    )
    steps.shot("reception-caller-ids")
    menu.get_by_role("menuitem", name=SALES, exact=True).click()

    expect(menu.locator("button")).to_contain_text(SALES)
    wait_for(lambda: hass.entity_state(CALLER_ID) == SALES, "the caller ID")
    call_id = start_call(hass)
    assert call_on_platform(hass, call_id)["b_cli"] == "+31508009010"
    steps.shot("reception-caller-id-chosen")

    # Leave the account as it was: no caller ID sent, no call ringing.
    page.locator("hui-tile-card").filter(has_text="Stop call").click()
    wait_for(lambda: hass.entity_state(STATUS) == "disconnected", "the call to stop")
    menu.locator("button").click()
    menu.get_by_role("menuitem", name="Platform setting", exact=True).click()
    wait_for(lambda: hass.entity_state(CALLER_ID) == "platform", "the caller ID")
