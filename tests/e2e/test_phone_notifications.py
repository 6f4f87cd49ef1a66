"""End to end: follow all calls of the account, and see the phone ring on a dashboard.

A real Home Assistant and the platform simulator run on free loopback ports; Home
Assistant's external URL is its own loopback address (``scripts/develop-config``), so the
simulator reaches its webhook. Headless Chromium turns on "Follow all calls of the
account" in the account's options, opens the dashboard of ``docs/dashboard.yaml``, makes
the simulator ring with an HTTP request (a call nobody answers, 10 s), and watches the
Phone tile show "Ringing", then the missed call appear in the to-do card.

It runs after ``test_dashboard_call.py`` (which adds the account in the UI) and uses that
account; run alone, it adds the account through the config flow API.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from .harness import API_TOKEN, EMAIL, REPO, HomeAssistant, http_json
from .test_dashboard_call import VISIBLE_TEXT, log_in, wait_for_frontend

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Steps

expect = pytest.importorskip("playwright.sync_api").expect

DASHBOARD_YAML = REPO / "docs" / "dashboard.yaml"
DASHBOARD_URL_PATH = "click-to-dial-phone"
PHONE = "sensor.demo_user_phone"
CALLER = "Bakker | Voys (+31612345678)"
TIMEOUT = 30.0


def ensure_account(hass: HomeAssistant) -> None:
    """Add the simulator's account through the config flow API, unless it is there."""
    entries = http_json(
        f"{hass.url}/api/config/config_entries/entry?domain=clicktodial",
        token=hass.access_token,
    )
    if entries:
        return
    flow = http_json(
        f"{hass.url}/api/config/config_entries/flow",
        {"handler": "clicktodial", "show_advanced_options": False},
        token=hass.access_token,
    )
    result = http_json(
        f"{hass.url}/api/config/config_entries/flow/{flow['flow_id']}",
        {"url": hass.simulator_url, "email": EMAIL, "api_token": API_TOKEN},
        token=hass.access_token,
    )
    assert result["type"] == "create_entry", result


def follow_all_calls(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Turn on "Follow all calls of the account" in the account's options."""
    # The integration's page (a sidebar dashboard may be called "Click to dial" too).
    page.goto(f"{hass.url}/config/integrations/integration/clicktodial")
    wait_for_frontend(page)
    page.get_by_role("button", name="Configure").first.click()
    expect(page.get_by_text("Call defaults")).to_be_visible()
    expect(
        page.get_by_role("paragraph").filter(has_text="Follow all calls of the account")
    ).to_be_visible()
    # The form's only switch; the frontend gives it no accessible name of its own.
    toggle = page.get_by_role("switch")
    expect(toggle).to_have_count(1)
    expect(page.get_by_text("Home Assistant Cloud", exact=False)).to_be_visible()
    # Where a person clicks: the switch's visible part (its input lies beneath it).
    page.locator("ha-switch").click()
    expect(toggle).to_be_checked()
    steps.shot("options-follow-all-calls")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Call defaults")).to_be_hidden()


def state(hass: HomeAssistant, entity_id: str) -> dict[str, Any] | None:
    """Return an entity's state through the REST API, None while it does not exist."""
    try:
        return http_json(f"{hass.url}/api/states/{entity_id}", token=hass.access_token)
    except OSError:
        return None


def wait_until(condition: Any, what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something true; fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return result


def create_dashboard(hass: HomeAssistant) -> None:
    """Create a dashboard with docs/dashboard.yaml as its configuration."""
    hass.websocket(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_URL_PATH,
            "title": "Phone",
            "icon": "mdi:phone-ring",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        },
        {
            "type": "lovelace/config/save",
            "url_path": DASHBOARD_URL_PATH,
            "config": yaml.safe_load(DASHBOARD_YAML.read_text()),
        },
    )


def phone_tile(page: Page) -> str:
    """Return the state that the Phone tile shows."""
    tiles = [
        tile.evaluate(VISIBLE_TEXT) for tile in page.locator("hui-tile-card").all()
    ]
    (shown,) = [text[1:] for text in tiles if text[:1] == ["Phone"]]
    return " ".join(shown)


def test_phone_rings_on_the_dashboard(
    home_assistant: HomeAssistant, page: Page, steps: Steps
) -> None:
    """Follow all calls, ring the simulator: the tile rings, the missed call is listed."""
    ensure_account(home_assistant)
    log_in(page, home_assistant, steps)
    follow_all_calls(page, home_assistant, steps)
    wait_until(lambda: state(home_assistant, PHONE), "the Phone sensor")
    wait_until(
        lambda: http_json(f"{home_assistant.simulator_url}/simulator/subscriptions")[
            "count"
        ],
        "the subscription",
    )
    create_dashboard(home_assistant)

    page.goto(f"{home_assistant.url}/{DASHBOARD_URL_PATH}/calls")
    todo = page.locator("hui-todo-list-card")
    expect(todo).to_be_visible()
    assert phone_tile(page) == "Idle"
    steps.shot("phone-idle")

    answer = http_json(
        f"{home_assistant.simulator_url}/simulator/ring", {"script": "missed"}
    )
    assert answer["subscriptions"] == 1

    wait_until(lambda: phone_tile(page) == "Ringing", "the Phone tile to ring", 10)
    steps.shot("phone-ringing")
    wait_until(lambda: phone_tile(page) == "Idle", "the call to end", 20)
    expect(todo).to_contain_text(CALLER)
    todo.scroll_into_view_if_needed()
    steps.shot("missed-call-listed")
