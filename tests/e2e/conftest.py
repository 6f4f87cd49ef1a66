"""Fixtures of the end-to-end tests: a real Home Assistant, the simulator and Chromium.

These tests run in a pytest run of their own, ``scripts/test-e2e`` (``scripts/test`` runs it
after the other tests): ``-p no:homeassistant`` keeps out the plugin of
pytest-homeassistant-custom-component (entry point ``homeassistant``), whose socket
blocking and lingering-thread checks are wrong for processes and a browser that really
talk over loopback, and ``--confcutdir=tests/e2e`` keeps out ``tests/conftest.py``, which
imports that plugin's fixtures. In a run that has the plugin anyway (a bare ``pytest``),
they are skipped and say how to run them.

Each run leaves in ``tests/e2e/artifacts/`` (git-ignored) a screenshot of each step, the
browser's console, the log of each step's time, and the logs of Home Assistant and the
simulator; a failure adds ``failure.png``, the page as it was.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
import os
from pathlib import Path
import shutil
import signal
import time
from typing import TYPE_CHECKING

import pytest

from .harness import HomeAssistant, libfaketime, running_home_assistant

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# As measured on these machines: without the networking flags Chromium keeps trying to
# reach Google's servers, which the closed network refuses, many connections at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 720}
PHCC_PLUGIN = "homeassistant"  # entry point of pytest-homeassistant-custom-component

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Skip these tests in a run where pytest-homeassistant-custom-component is loaded."""
    if not config.pluginmanager.has_plugin(PHCC_PLUGIN):
        return
    skip = pytest.mark.skip(
        reason="end-to-end tests run with scripts/test-e2e (without the plugin of "
        "pytest-homeassistant-custom-component, which blocks sockets)"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report, so that fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    """Return whether the requesting test failed (set-up or call)."""
    reports = request.node.stash.get(REPORTS, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(scope="session", autouse=True)
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so that the fixtures still stop everything."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    yield
    signal.signal(signal.SIGTERM, previous)


def _missing(reason: str) -> None:
    """Skip the test for want of a system package; fail instead in CI."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Return Debian's Chromium; skip (fail in CI) where it is not installed."""
    if not CHROMIUM.exists():
        _missing(
            f"no Chromium at {CHROMIUM}: install Debian's (apt-get install chromium; "
            ".ci/run does) to run the end-to-end tests"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def faketime() -> Path:
    """Return Debian's libfaketime; skip (fail in CI) where it is not installed."""
    if (library := libfaketime()) is None:
        _missing(
            "no libfaketime, which runs Home Assistant at a fixed time of day: install "
            "Debian's (apt-get install faketime; .ci/run does) to run the end-to-end tests"
        )
    assert library is not None
    return library


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Return the artifacts folder, emptied of the previous run's files."""
    ARTIFACTS.mkdir(exist_ok=True)
    for path in ARTIFACTS.iterdir():
        if path.is_file() and path.name != ".gitignore":
            path.unlink()
    return ARTIFACTS


@pytest.fixture(scope="session")
def home_assistant(
    chromium: Path, faketime: Path, artifacts: Path
) -> Iterator[HomeAssistant]:
    """Run the simulator and an onboarded Home Assistant; keep their logs afterwards."""
    with running_home_assistant(faketime) as hass:
        try:
            yield hass
        finally:
            for source, name in (
                (hass.log, "home-assistant.log"),
                *(
                    (process.output, f"{process.name}.out")
                    for process in hass.processes
                ),
            ):
                if source.exists():
                    shutil.copyfile(source, artifacts / name)


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    """Run one headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


class Steps:
    """Screenshots of each step, numbered, and the time each step took."""

    def __init__(self, page: Page, folder: Path) -> None:
        """Start counting."""
        self.page = page
        self.folder = folder
        self.count = 0
        self.last: Path | None = None
        self.start = self.mark = time.monotonic()
        self.log = folder / "steps.log"
        self.log.write_text("")

    def shot(self, name: str) -> Path:
        """Save a screenshot of the page as NN-name.png; log the time since the last."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=path, animations="disabled")
        now = time.monotonic()
        with self.log.open("a") as log:
            log.write(
                f"{now - self.start:6.1f} s  (+{now - self.mark:5.1f} s)  {path.name}\n"
            )
        self.mark = now
        self.last = path
        return path


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    home_assistant: HomeAssistant,
    artifacts: Path,
) -> Iterator[Page]:
    """Open a fresh page at Home Assistant's time; save its console and, on failure, how it looked."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-US", timezone_id="Europe/Amsterdam"
    )
    # The page's clock shows Home Assistant's time of day (it runs on from there).
    context.clock.install(time=home_assistant.now())
    page = context.new_page()
    page.set_default_timeout(20_000)
    console: list[str] = []
    page.on(
        "console", lambda message: console.append(f"{message.type}: {message.text}")
    )
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    try:
        yield page
    finally:
        if _failed(request):
            try:
                page.screenshot(path=artifacts / "failure.png", animations="disabled")
            except Exception as err:  # noqa: BLE001 - the test's own error matters more
                console.append(f"(no failure screenshot: {err})")
        (artifacts / "browser-console.log").write_text("\n".join(console) + "\n")
        context.close()


@pytest.fixture
def steps(page: Page, artifacts: Path) -> Steps:
    """Return the step screenshots of the test."""
    return Steps(page, artifacts)
