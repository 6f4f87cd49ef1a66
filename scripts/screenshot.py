"""Take docs/dashboard.png from docs/dashboard.yaml, on a real Home Assistant (scripts/screenshot).

The end-to-end harness starts the simulator and Home Assistant on free loopback ports;
the account is added with Alice as a contact and every call followed, the dashboard of
``docs/dashboard.yaml`` is created, the simulator makes the phone ring (a missed call) and
the desk phone's colleague, the softphone, stays offline; Alice is called, and once her
call is connected headless Chromium takes the picture of that dashboard's view alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import re
import sys
import time
from typing import TYPE_CHECKING, Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.harness import (
    API_TOKEN,
    EMAIL,
    HA_PASSWORD,
    HA_USERNAME,
    HomeAssistant,
    http_json,
    libfaketime,
    running_home_assistant,
)

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

DASHBOARD_YAML = REPO / "docs" / "dashboard.yaml"
DASHBOARD_PNG = REPO / "docs" / "dashboard.png"
URL_PATH = "click-to-dial"
MISSED_TODAY = "sensor.demo_user_missed_calls_today"
ALICE = {"name": "Alice", "number": "+31508009899", "auto_answer": "platform"}
FAILURE_PNG = REPO / "tests" / "e2e" / "artifacts" / "screenshot-failure.png"
VIEWPORT: ViewportSize = {"width": 1800, "height": 1200}
TIMEOUT = 60.0
# Below the lowest section, as the view has on its sides.
MARGIN = 16


def wait_until(condition: Any, what: str, timeout: float = TIMEOUT) -> Any:
    """Poll ``condition`` until it returns something true; fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            msg = f"timed out waiting for {what}"
            raise TimeoutError(msg)
        time.sleep(0.2)
    return result


def state(hass: HomeAssistant, entity_id: str) -> dict[str, Any] | None:
    """Return an entity's state through the REST API, None while it does not exist."""
    try:
        answer: dict[str, Any] = http_json(
            f"{hass.url}/api/states/{entity_id}", token=hass.access_token
        )
    except OSError:
        return None
    return answer


def flow(
    hass: HomeAssistant, path: str, start: dict[str, Any], data: dict[str, Any]
) -> Any:
    """Run a one-step flow of the REST API; return its result."""
    begun = http_json(f"{hass.url}{path}", start, token=hass.access_token)
    result = http_json(
        f"{hass.url}{path}/{begun['flow_id']}", data, token=hass.access_token
    )
    assert result["type"] == "create_entry", result
    return result


def set_up(hass: HomeAssistant) -> None:
    """Add the account, Alice and the dashboard; follow every call of the account."""
    entry = flow(
        hass,
        "/api/config/config_entries/flow",
        {"handler": "clicktodial"},
        {"url": hass.simulator_url, "email": EMAIL, "api_token": API_TOKEN},
    )["result"]
    flow(
        hass,
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry["entry_id"], "contact"]},
        ALICE,
    )
    wait_until(lambda: state(hass, "button.call_alice"), "Alice's button")
    begun = http_json(
        f"{hass.url}/api/config/config_entries/options/flow",
        {"handler": entry["entry_id"]},
        token=hass.access_token,
    )
    http_json(
        f"{hass.url}/api/config/config_entries/options/flow/{begun['flow_id']}",
        {"call_notifications": True},
        token=hass.access_token,
    )
    wait_until(lambda: state(hass, "sensor.demo_user_phone"), "the Phone sensor")
    hass.websocket(
        {
            "type": "lovelace/dashboards/create",
            "url_path": URL_PATH,
            "title": "Click to dial",
            "icon": "mdi:phone",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        },
        {
            "type": "lovelace/config/save",
            "url_path": URL_PATH,
            "config": yaml.safe_load(DASHBOARD_YAML.read_text()),
        },
    )


def make_calls(hass: HomeAssistant) -> None:
    """Ring a missed call, wait until the history counts it, then call Alice."""

    def missed_today() -> int:
        return int((state(hass, MISSED_TODAY) or {}).get("state") or 0)

    wait_until(lambda: state(hass, MISSED_TODAY), "the call history")
    before = missed_today()
    http_json(f"{hass.simulator_url}/simulator/ring", {"script": "missed", "speed": 0})
    wait_until(
        lambda: (state(hass, "todo.demo_user_missed_calls") or {}).get("state") == "1",
        "the missed call listed",
    )
    wait_until(
        lambda: missed_today() > before,
        "the history to count the missed call",
    )
    http_json(
        f"{hass.url}/api/services/button/press",
        {"entity_id": "button.call_alice"},
        token=hass.access_token,
    )
    wait_until(
        lambda: (
            (state(hass, "sensor.demo_user_call_status") or {}).get("state")
            == "connected"
        ),
        "Alice's call to connect",
    )


def screenshot(hass: HomeAssistant, output: Path) -> None:
    """Log in in headless Chromium and take the picture of the dashboard's view."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - e2e requirement

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(
            viewport=VIEWPORT, locale="en-US", timezone_id="Europe/Amsterdam"
        )
        page.goto(hass.url)
        page.get_by_role("textbox", name="Username").fill(HA_USERNAME)
        page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/(home|lovelace)"))
        page.locator("#ha-launch-screen").wait_for(state="detached")
        page.goto(f"{hass.url}/{URL_PATH}/calls")
        page.locator("#ha-launch-screen").wait_for(state="detached")
        view = page.locator("hui-sections-view")
        try:
            view.locator("hui-calendar-card").get_by_text(
                "Missed call"
            ).first.wait_for()
        except Exception:
            page.screenshot(path=FAILURE_PNG, animations="disabled")
            print(f"How the page looked: {FAILURE_PNG}", file=sys.stderr)
            raise
        page.wait_for_timeout(1500)
        # The view alone, down to its lowest section (the view itself fills the window).
        box = view.bounding_box()
        assert box is not None
        bottom = max(
            each["y"] + each["height"]
            for section in view.locator("hui-section").all()
            if (each := section.bounding_box()) is not None
        )
        page.screenshot(
            path=output,
            animations="disabled",
            clip={
                "x": box["x"],
                "y": box["y"],
                "width": box["width"],
                "height": bottom - box["y"] + MARGIN,
            },
        )
        browser.close()


def main() -> None:
    """Take the picture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DASHBOARD_PNG)
    args = parser.parse_args()
    if (library := libfaketime()) is None:
        sys.exit(
            "Home Assistant runs with Debian's libfaketime: apt-get install faketime"
        )
    with running_home_assistant(library) as hass:
        set_up(hass)
        make_calls(hass)
        screenshot(hass, args.output)
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
