"""End to end: switch which phone rings to "Not available" on the dashboard.

A real Home Assistant and the platform simulator run on free loopback ports; the account
is added (through the config flow's REST API, unless an earlier test added it in the UI),
the dashboard of ``docs/dashboard.yaml`` is created, and headless Chromium picks "Not
available" in its "Phone that rings" select. The simulator, asked over its own API, must
then have nobody selected.
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

from .harness import (
    API_TOKEN,
    EMAIL,
    HA_PASSWORD,
    HA_USERNAME,
    REPO,
    HomeAssistant,
    http_json,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Steps

expect = pytest.importorskip("playwright.sync_api").expect

DASHBOARD_YAML = REPO / "docs" / "dashboard.yaml"
DASHBOARD_URL_PATH = "phone-that-rings"
SELECT = "select.demo_user_phone_that_rings"
DESK = "Desk (201)"  # what the simulator's demo account rings at first
TIMEOUT = 20.0


def wait_for(condition: Any, what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return result


def selected_on_platform(hass: HomeAssistant) -> dict[str, Any]:
    """Return the simulator's selected destination of the demo account, over its API."""
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        f"{hass.simulator_url}/api/userdestination/",
        headers={"Authorization": f"Token {EMAIL}:{API_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        selected = json.loads(response.read())["objects"][0]["selecteduserdestination"]
    assert isinstance(selected, dict)
    return selected


def select_state(hass: HomeAssistant) -> str | None:
    """Return the select's state in Home Assistant, or None while it does not exist."""
    try:
        state = http_json(f"{hass.url}/api/states/{SELECT}", token=hass.access_token)
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise
    return str(state["state"])


def add_account(hass: HomeAssistant) -> None:
    """Add the simulator's account through the config flow, unless it is there already."""
    hass.add_account()
    wait_for(lambda: select_state(hass) not in (None, "unavailable"), "the select")


def create_dashboard(hass: HomeAssistant) -> None:
    """Create a dashboard holding docs/dashboard.yaml, as the raw configuration editor does."""
    hass.save_dashboard(
        DASHBOARD_URL_PATH,
        "Phone that rings",
        "mdi:phone-forward",
        yaml.safe_load(DASHBOARD_YAML.read_text()),
    )


def log_in(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Open Home Assistant and log in on its login page."""
    page.goto(hass.url)
    page.get_by_role("textbox", name="Username").fill(HA_USERNAME)
    page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(home|lovelace)"))
    page.locator("#ha-launch-screen").wait_for(state="detached")
    steps.shot("destination-logged-in")


def test_not_available_from_the_dashboard(
    home_assistant: HomeAssistant, page: Page, steps: Steps
) -> None:
    """Pick "Not available" in the dashboard's select: the platform rings nobody."""
    add_account(home_assistant)
    assert selected_on_platform(home_assistant)["phoneaccount"] == 101
    assert select_state(home_assistant) == DESK
    create_dashboard(home_assistant)

    log_in(page, home_assistant, steps)
    page.locator("ha-sidebar").get_by_text("Phone that rings", exact=True).click()
    page.wait_for_url(f"**/{DASHBOARD_URL_PATH}/**")
    tile = page.locator("hui-tile-card").filter(has_text="Phone that rings")
    menu = tile.locator("hui-select-options-card-feature ha-control-select-menu")
    expect(menu.locator("button")).to_contain_text(DESK)
    steps.shot("destination-dashboard")

    menu.locator("button").click()
    # not_available, translated; the phones are named as the platform describes them.
    choice = menu.get_by_role("menuitem", name="Not available", exact=True)
    expect(choice).to_be_visible()
    expect(menu.get_by_role("menuitem")).to_have_text(
        [DESK, "Softphone (202)", "Mobile (+31612345678)", "Not available"]
    )
    steps.shot("destination-options")
    choice.click()

    expect(menu.locator("button")).to_contain_text("Not available")
    selected = wait_for(
        lambda: (
            (current := selected_on_platform(home_assistant))["phoneaccount"] is None
            and current
        ),
        "the simulator's selection",
    )
    assert selected["fixeddestination"] is None
    assert select_state(home_assistant) == "not_available"
    steps.shot("destination-not-available")
