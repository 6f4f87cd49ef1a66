"""End to end: colleagues' phones on a dashboard, ringing, and a tap that calls one.

Turns on "Follow all calls" and "Show colleagues' phones" through the options flow's REST
API, puts the section of ``docs/colleagues.yaml`` on a dashboard and opens it in headless
Chromium: Reception and Sales are idle with their extensions and online; the simulator
rings Reception (``ring --to 200``) and its tile rings; a tap on Sales' tile calls
extension 210. With ``CLICKTODIAL_UPDATE_SCREENSHOT=1`` the picture of the ringing
panel replaces ``docs/colleagues.png``.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pytest
import yaml

from .harness import REPO, HomeAssistant, http_json
from .test_dashboard_call import VISIBLE_TEXT, log_in, wait_for_frontend
from .test_phone_notifications import ensure_account, state, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Steps

pytest.importorskip("playwright.sync_api")

SECTION_YAML = REPO / "docs" / "colleagues.yaml"
PANEL_PNG = REPO / "docs" / "colleagues.png"
URL_PATH = "click-to-dial-colleagues"
RECEPTION = "sensor.reception_phone"
STATUS = "sensor.demo_user_call_status"


def show_colleagues(hass: HomeAssistant, *, on: bool = True) -> None:
    """Turn call notifications and colleagues' phones on (or off) in the account's options.

    Off again at the end: the browser tests share one Home Assistant, and the test of
    the phone (run later) turns call notifications on through the form itself.
    """
    (entry,) = http_json(
        f"{hass.url}/api/config/config_entries/entry?domain=clicktodial",
        token=hass.access_token,
    )
    flow = http_json(
        f"{hass.url}/api/config/config_entries/options/flow",
        {"handler": entry["entry_id"]},
        token=hass.access_token,
    )
    result = http_json(
        f"{hass.url}/api/config/config_entries/options/flow/{flow['flow_id']}",
        {
            "auto_answer": "platform",
            "call_notifications": on,
            "show_colleagues": on,
        },
        token=hass.access_token,
    )
    assert result["type"] == "create_entry", result
    if not on:
        return
    wait_until(lambda: state(hass, RECEPTION), "Reception's Phone sensor")
    wait_until(
        lambda: http_json(f"{hass.simulator_url}/simulator/subscriptions")["count"],
        "the subscription",
    )


def create_dashboard(hass: HomeAssistant) -> None:
    """Create a dashboard whose one sections view holds docs/colleagues.yaml."""
    hass.save_dashboard(
        URL_PATH,
        "Colleagues",
        "mdi:account-group",
        {
            "views": [
                {
                    "title": "Colleagues",
                    "path": "colleagues",
                    "type": "sections",
                    "max_columns": 1,
                    "sections": [yaml.safe_load(SECTION_YAML.read_text())],
                }
            ]
        },
    )


def tiles(page: Page, name: str) -> list[str]:
    """Return what each tile named ``name`` shows beside its name, joined by " · "."""
    shown = [
        each.evaluate(VISIBLE_TEXT) for each in page.locator("hui-tile-card").all()
    ]
    return [
        " · ".join(piece for piece in text[1:] if piece != "·")
        for text in shown
        if text[:1] == [name]
    ]


def test_colleagues_panel(
    home_assistant: HomeAssistant, page: Page, steps: Steps
) -> None:
    """The panel shows who is idle, ringing and online; a tap calls a colleague."""
    hass = home_assistant
    ensure_account(hass)
    show_colleagues(hass)
    try:
        _panel(hass, page, steps)
    finally:
        show_colleagues(hass, on=False)


def _panel(hass: HomeAssistant, page: Page, steps: Steps) -> None:
    """Show the panel, ring Reception, and call Sales with a tap."""
    create_dashboard(hass)
    log_in(page, hass, steps)
    page.goto(f"{hass.url}/{URL_PATH}/colleagues")
    wait_for_frontend(page)
    wait_until(lambda: len(tiles(page, "Reception")) == 2, "Reception's tiles")
    assert tiles(page, "Reception")[0] == "Idle · 200"
    assert tiles(page, "Sales")[0] == "Idle · 210"
    assert tiles(page, "Sales")[1].startswith("Connected")
    steps.shot("colleagues-idle")

    answer = http_json(
        f"{hass.simulator_url}/simulator/ring", {"script": "missed", "to": "200"}
    )
    assert answer["subscriptions"] == 1
    wait_until(
        lambda: tiles(page, "Reception")[0] == "Ringing · 200", "Reception to ring", 10
    )
    shot = steps.shot("colleagues-ringing")
    if os.environ.get("CLICKTODIAL_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, PANEL_PNG)
    wait_until(
        lambda: tiles(page, "Reception")[0] == "Idle · 200", "the call to end", 20
    )

    # A tap on Sales' Phone tile calls extension 210.
    sales = page.locator("hui-tile-card").filter(has_text="Sales").first
    sales.locator('[role="button"].background').first.click()
    wait_until(
        lambda: (
            (status := state(hass, STATUS))
            and status["attributes"].get("b_number") == "210"
        ),
        "a call to 210",
    )
    steps.shot("colleague-called")
    # Over before the next test, which expects the user's phone idle.
    wait_until(
        lambda: (
            (status := state(hass, STATUS))
            and not status["attributes"].get("tracking", True)
        ),
        "the call to 210 to end",
        90,
    )
