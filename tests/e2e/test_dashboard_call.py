"""End to end, as a person would: set the integration up in the UI and call from a dashboard.

A real Home Assistant and the platform simulator run on free loopback ports; headless
Chromium logs in, adds the integration (a wrong token first), adds a contact and opens its
device's page, creates a dashboard and pastes ``docs/dashboard.yaml`` into its raw
configuration editor, types letters and then a number on the dial pad, presses the
contact's tile and watches the call status go through the simulator's statuses in real time
(about 40 s), naming the contact and the number; then the Activity panel shows the call's
outcome as ``docs/dashboard.md`` says.

The picture, ``docs/dashboard.png``, is taken by ``scripts/screenshot``.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest
import yaml

from .harness import API_TOKEN, EMAIL, HA_PASSWORD, HA_USERNAME, REPO, HomeAssistant

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Steps

expect = pytest.importorskip("playwright.sync_api").expect

DASHBOARD_YAML = REPO / "docs" / "dashboard.yaml"
DASHBOARD_TITLE = "Click to dial"
DASHBOARD_URL_PATH = "click-to-dial"  # what the frontend makes of the title

DIAL_PAD = "text.demo_user_number_to_dial"
DIAL_PAD_NUMBER = "+31508009800"  # already clean: stored as typed

ACCOUNT_NAME = "Demo User"
CONTACT_NAME = "Alice"
CONTACT_NUMBER = "+31508009899"  # an ordinary number: rings, connects, ends after 30 s
# The states of sensor.demo_user_call_status for that number, as the UI shows them, and
# when the simulator reaches them (seconds after the call starts).
CALL_STATES = [
    "Setting up",  # 0
    "Ringing your phone",  # 2
    "Ringing the other side",  # 6
    "Connected",  # 10
    "Ended",  # 40
]
CALL_TIMEOUT = 60.0
STATE_TIMEOUT = 10.0

# The visible text of an element, through shadow roots and slots, as a list of pieces:
# Playwright's inner_text() misses text slotted into the frontend's components.
VISIBLE_TEXT = """(root) => {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.trim();
      if (text) out.push(text);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden") return;
      if (node.tagName === "SLOT") {
        node.assignedNodes({ flatten: true }).forEach(walk);
        return;
      }
      if (node.shadowRoot) {
        walk(node.shadowRoot);
        return;
      }
    } else if (node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) {
      return;
    }
    node.childNodes.forEach(walk);
  };
  walk(root);
  return out;
}"""


def visible_text(page: Page, selector: str, has_text: str) -> list[str]:
    """Return the visible text pieces of the element ``selector`` containing ``has_text``."""
    element = page.locator(selector).filter(has_text=has_text)
    return element.evaluate(VISIBLE_TEXT)


def wait_for_frontend(page: Page) -> None:
    """Wait until the frontend has replaced its launch screen."""
    page.locator("#ha-launch-screen").wait_for(state="detached")


def log_in(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Open Home Assistant and log in on its login page."""
    page.goto(hass.url)
    page.get_by_role("textbox", name="Username").fill(HA_USERNAME)
    page.get_by_role("textbox", name="Password").fill(HA_PASSWORD)
    steps.shot("login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(home|lovelace)"))
    wait_for_frontend(page)
    steps.shot("logged-in")


def open_devices_and_services(page: Page) -> None:
    """Go to Settings > Devices & services through the sidebar."""
    page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
    page.get_by_text("Devices & services", exact=True).click()
    page.wait_for_url("**/config/integrations/dashboard")


def add_integration(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Add Click to dial in Settings > Devices & services: a wrong token, then the right."""
    open_devices_and_services(page)
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("Click to dial")
    page.get_by_text("Click to dial", exact=True).click()
    expect(page.get_by_text("Connect your VoIPGRID account")).to_be_visible()
    steps.shot("integration-form")

    # The platform URL: a list of known platforms that takes a typed value too.
    page.get_by_text("https://api.voipgrid.nl").click()
    url_search = page.get_by_placeholder("Add custom item", exact=False)
    url_search.fill(hass.simulator_url)
    page.get_by_text("Add custom item").click()
    # Only once the list has closed and shows the new value: typing into the other
    # fields while it closes can be lost.
    expect(url_search).to_be_hidden()
    expect(page.get_by_text(hass.simulator_url)).to_be_visible()
    email = page.get_by_role("textbox", name="Email")
    email.fill(EMAIL)
    token = page.get_by_role("textbox", name="API token")
    token.fill("not-the-token")
    expect(email).to_have_value(EMAIL)
    steps.shot("integration-wrong-token")
    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_text("The platform does not accept this email and API token.")
    ).to_be_visible()
    steps.shot("integration-invalid-auth")

    # The form keeps the URL and email, not the token: type the right one.
    expect(page.get_by_text(hass.simulator_url)).to_be_visible()
    expect(email).to_have_value(EMAIL)
    expect(token).to_have_value("")
    token.fill(API_TOKEN)
    page.get_by_role("button", name="Submit").click()
    # Created: the dialog now offers to name the account's device and pick an area.
    finish = page.get_by_role("button", name=re.compile("finish", re.IGNORECASE))
    expect(page.get_by_role("textbox", name="Device name")).to_have_value(ACCOUNT_NAME)
    steps.shot("integration-created")
    finish.click()
    expect(finish).to_be_hidden()
    # The frontend then shows the new device's page or the integration's (a race).
    page.wait_for_url(re.compile(r"/config/(devices/device|integrations/integration)/"))
    wait_for_frontend(page)


def add_contact(page: Page, steps: Steps) -> None:
    """Add the contact Alice on the integration's page; open the page of its device."""
    open_devices_and_services(page)
    page.get_by_text("Click to dial", exact=True).click()
    page.wait_for_url("**/config/integrations/integration/clicktodial")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("Add a contact")).to_be_visible()
    page.get_by_role("textbox", name="Name").fill(CONTACT_NAME)
    page.get_by_role("textbox", name="Number*", exact=True).fill(CONTACT_NUMBER)
    steps.shot("contact-form")
    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_text(f"Created configuration for {CONTACT_NAME}.")
    ).to_be_visible()
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Success", exact=True)).to_be_hidden()
    expect(page.get_by_text("Contact", exact=True)).to_be_visible()
    steps.shot("contact-added")

    # The contact's device, listed under the contact, is connected via the account's.
    page.get_by_text(CONTACT_NAME, exact=True).last.click()
    page.wait_for_url("**/config/devices/device/*")
    expect(page.get_by_text("Connected via")).to_be_visible()
    expect(page.get_by_role("link", name=ACCOUNT_NAME, exact=True)).to_be_visible()
    # The number it calls, shown as the device's model.
    expect(page.get_by_text(CONTACT_NUMBER, exact=True)).to_be_visible()
    steps.shot("contact-device")


def wait_for_state(hass: HomeAssistant, entity_id: str, state: str) -> None:
    """Wait until Home Assistant reports ``state`` for the entity."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while (current := hass.entity_state(entity_id)) != state:
        assert time.monotonic() < deadline, f"{entity_id} is {current!r}, not {state!r}"
        time.sleep(0.1)


def paste_dashboard(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Create a dashboard and paste docs/dashboard.yaml into its raw configuration editor.

    What docs/dashboard.md tells a person to do, down to select all and paste; then a reload
    shows what was saved.
    """
    page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
    page.get_by_text("Dashboards", exact=True).click()
    # With or without a query string (2026.11 adds one).
    page.wait_for_url(re.compile(r"/config/lovelace/dashboards(\?|$)"))
    page.get_by_role("button", name="Add dashboard").click()
    page.get_by_text("New dashboard from scratch", exact=True).click()
    page.get_by_role("textbox", name="Title").fill(DASHBOARD_TITLE)
    expect(page.get_by_role("textbox", name="URL")).to_have_value(DASHBOARD_URL_PATH)
    steps.shot("dashboard-new")
    page.get_by_role("button", name="Create").click()

    page.locator("ha-sidebar").get_by_text(DASHBOARD_TITLE, exact=True).click()
    page.wait_for_url(f"**/{DASHBOARD_URL_PATH}/**")
    page.get_by_role("button", name="Edit dashboard").click()
    page.get_by_role("button", name="Open dashboard menu").click()
    page.get_by_text("Raw configuration editor", exact=True).click()
    editor = page.locator("ha-code-editor")
    editor.locator(".cm-content").click()
    text = DASHBOARD_YAML.read_text()
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=hass.url
    )
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("ControlOrMeta+v")
    expect(page.get_by_text("Unsaved changes", exact=True)).to_be_visible()
    assert editor.evaluate("(editor) => editor.value") == text
    steps.shot("dashboard-pasted")
    # Saved at once: comments in the file would first ask whether to drop them, and
    # the question, dismissed, saves nothing.
    questions: list[str] = []
    page.on(
        "dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss())
    )
    page.get_by_role("button", name="Save").click()
    try:
        expect(page.get_by_text("Saved", exact=True)).to_be_visible()
    except AssertionError as err:
        raise AssertionError(f"not saved; the editor asked: {questions}") from err
    assert questions == []
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Done").click()
    (config,) = hass.websocket(
        {"type": "lovelace/config", "url_path": DASHBOARD_URL_PATH}
    )
    assert config == yaml.safe_load(text)

    page.reload()
    wait_for_frontend(page)
    expect(page.locator("hui-tile-card").filter(has_text="Call status")).to_be_visible()
    expect(page.locator("hui-entities-card")).to_contain_text("Number to dial")
    expect(page.locator("hui-logbook-card")).to_be_visible()


def dial_pad_refuses_letters(page: Page, hass: HomeAssistant, steps: Steps) -> None:
    """Letters that name no contact get a translated message, on the dashboard and in a dialog."""
    row = page.locator("hui-text-entity-row")
    box = row.get_by_role("textbox", name="Number to dial")

    box.fill("abc")
    box.press("Enter")
    expect(
        page.get_by_text('"abc" is neither a phone number nor the name of one').first
    ).to_be_visible()
    assert hass.entity_state(DIAL_PAD) == ""
    steps.shot("dial-pad-refuses-letters")

    box.fill(DIAL_PAD_NUMBER)
    box.press("Enter")
    wait_for_state(hass, DIAL_PAD, DIAL_PAD_NUMBER)

    # The entity's dialog, opened from the row's icon, says the same.
    row.locator("state-badge").click()
    dialog = page.locator("ha-more-info-dialog")
    dialog_box = dialog.get_by_role("textbox", name="Number to dial")
    expect(dialog_box).to_have_value(DIAL_PAD_NUMBER)
    dialog_box.fill("12ab")
    dialog_box.press("Tab")
    expect(
        page.get_by_text('"12ab" is neither a phone number nor the name of one').first
    ).to_be_visible()
    assert hass.entity_state(DIAL_PAD) == DIAL_PAD_NUMBER
    steps.shot("dial-pad-dialog-refuses-letters")
    page.keyboard.press("Escape")
    expect(dialog_box).to_be_hidden()


def call_status(page: Page) -> tuple[str, list[str]]:
    """Return the call status that the status tile shows, and what it shows beside it."""
    name, state, *beside = visible_text(page, "hui-tile-card", "Call status")
    assert name == "Call status"
    return state, [piece for piece in beside if piece != "·"]


def test_call_a_contact_from_the_dashboard(
    home_assistant: HomeAssistant, page: Page, steps: Steps
) -> None:
    """Set up the account and a contact in the UI, then call the contact from a dashboard."""
    log_in(page, home_assistant, steps)
    add_integration(page, home_assistant, steps)
    add_contact(page, steps)
    paste_dashboard(page, home_assistant, steps)
    # Alice's tile (the status tile names her too, during and after her call).
    contact = (
        page.locator("hui-tile-card")
        .filter(has_text=CONTACT_NAME)
        .filter(has_not_text="Call status")
    )
    # The button's state is its last press, "Unknown" until then: the tile hides it and
    # shows the contact's device name.
    assert contact.evaluate(VISIBLE_TEXT) == [CONTACT_NAME]
    assert call_status(page) == ("Unknown", [])
    steps.shot("dashboard")
    dial_pad_refuses_letters(page, home_assistant, steps)

    contact.click()
    seen: list[str] = []
    deadline = time.monotonic() + CALL_TIMEOUT
    while not seen or seen[-1] != CALL_STATES[-1]:
        assert time.monotonic() < deadline, f"the call got stuck after {seen}"
        status, beside = call_status(page)
        if status != "Unknown" and (not seen or status != seen[-1]):
            # Who is being called, beside the status: the contact and the number.
            assert beside == [CONTACT_NAME, CONTACT_NUMBER], beside
            seen.append(status)
            steps.shot(f"call-{len(seen)}-{status.lower().replace(' ', '-')}")
        page.wait_for_timeout(100)
    assert seen == CALL_STATES

    # The logbook card lists the call's steps too, newest first, each once: its end is
    # not written twice.
    logbook = page.locator("hui-logbook-card")
    for state in CALL_STATES:
        expect(logbook.get_by_text(state, exact=True)).to_have_count(1)
    expect(logbook).not_to_contain_text(f"to {CONTACT_NAME}")
    assert contact.evaluate(VISIBLE_TEXT) == [CONTACT_NAME]
    steps.shot("dashboard-after-call")

    # The Activity panel: the Call entity's end, once, with the account beneath (the
    # panel shows the state as stored, or translated once it has the texts).
    page.locator("ha-sidebar").get_by_text("Activity", exact=True).click()
    page.wait_for_url("**/logbook**")
    panel = page.locator("ha-panel-logbook")
    line = panel.get_by_role(
        "button", name=re.compile(rf"\bCall→(disconnected|Ended) {ACCOUNT_NAME}$")
    )
    try:
        expect(line).to_have_count(1)
    except AssertionError:
        # The panel can miss a line written as it opens (between its first read and
        # its live updates): a person reloads it.
        page.reload()
        expect(line).to_have_count(1, timeout=15_000)
    expect(panel).not_to_contain_text(f"to {CONTACT_NAME}")
    steps.shot("activity")
