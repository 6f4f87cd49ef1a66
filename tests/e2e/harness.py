"""Real processes for the end-to-end tests: the simulator and Home Assistant on loopback.

Nothing here uses pytest-homeassistant-custom-component: Home Assistant runs as its own
process (``python -m homeassistant --skip-pip``) with a fresh configuration folder made by
``scripts/develop-config``, exactly as ``scripts/develop`` runs it.

Both run at a fixed time of day, whatever the real time: noon in Amsterdam of the day the
tests start (``start_moment``). The simulator is told with ``--now``; Home Assistant runs
with Debian's libfaketime preloaded (package ``faketime``), which starts its clock at
that moment; the browser's pages get it from Playwright's clock (``HomeAssistant.now``).
So the simulator's scripted calls of the day (one to three hours before) and a call made
now fall on one day, also when the tests run just after midnight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
import ctypes
from dataclasses import dataclass, field
from datetime import UTC, datetime, time as time_of_day, timedelta
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

import aiohttp

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# The Python that runs Home Assistant: this one, or another virtualenv's (with the
# frontend of its release) to try another release: CLICKTODIAL_E2E_HASS_PYTHON=...
HASS_PYTHON = os.environ.get("CLICKTODIAL_E2E_HASS_PYTHON") or sys.executable

# The account the simulator serves, and the Home Assistant user that onboarding creates.
EMAIL = "demo@example.com"
API_TOKEN = "demo-token"
HA_NAME = "E2E Person"
HA_USERNAME = "person"
HA_PASSWORD = "e2e-password-1"

START_TIMEOUT = 60.0  # a cold start with --skip-pip takes about 7 s here
STOP_TIMEOUT = 20.0  # then SIGKILL

# The time of day the simulator and Home Assistant start at, in Home Assistant's time zone.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TIME_OF_DAY = time_of_day(12, 0)
# Debian's libfaketime (apt-get install faketime), the thread-safe one: preloaded into
# Home Assistant (not through the faketime program, which would be the process we watch).
LIBFAKETIME = "libfaketimeMT.so.1"
LIBFAKETIME_FOLDERS = ("/usr/lib/x86_64-linux-gnu/faketime", "/usr/lib/faketime")


def start_moment(now: datetime | None = None) -> datetime:
    """Return noon in Amsterdam of the day it is now there: the tests' start of time."""
    today = (now or datetime.now(UTC)).astimezone(AMSTERDAM).date()
    return datetime.combine(today, TIME_OF_DAY, AMSTERDAM)


def libfaketime() -> Path | None:
    """Return Debian's libfaketime, None where it is not installed."""
    for folder in LIBFAKETIME_FOLDERS:
        if (path := Path(folder, LIBFAKETIME)).exists():
            return path
    return next(Path("/usr/lib").glob(f"*/faketime/{LIBFAKETIME}"), None)


def faked_time(moment: datetime, library: Path) -> dict[str, str | None]:
    """Return the environment that starts a process's clock at ``moment`` (it runs on)."""
    return {
        "LD_PRELOAD": str(library),
        # Read as local time: the process's time zone is made UTC.
        "FAKETIME": moment.astimezone(UTC).strftime("@%Y-%m-%d %H:%M:%S"),
        "TZ": "UTC",
        # A test run itself under faketime must not hand its clock on.
        "FAKETIME_SHARED": None,
    }


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Have the kernel send SIGTERM to this child when the test process dies.

    The fixtures stop every process they start, also on failure; this covers a test
    process that is itself killed (SIGKILL), which runs no clean-up at all.
    """
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Process:
    """A child process in its own process group, with its output in a file."""

    name: str
    popen: subprocess.Popen[bytes]
    output: Path

    @classmethod
    def start(
        cls,
        name: str,
        args: list[str],
        output: Path,
        environment: dict[str, str | None] | None = None,
    ) -> Process:
        """Start ``args`` with stdout and stderr going to ``output``.

        ``environment`` changes the inherited environment (None: without the variable).
        """
        env = os.environ.copy()
        for variable, value in (environment or {}).items():
            if value is None:
                env.pop(variable, None)
            else:
                env[variable] = value
        # Let Python keep compiled modules: Home Assistant starts in ~3 s instead of ~9 s.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        with output.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                args,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads started yet
            )
        return cls(name, popen, output)

    def alive(self) -> bool:
        """Return whether the process is still running."""
        return self.popen.poll() is None

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after STOP_TIMEOUT."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(STOP_TIMEOUT)
        # Also whatever the process started and left behind in its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def tail(self, path: Path | None = None, lines: int = 40) -> str:
        """Return the end of the process's output (or of another file)."""
        path = path or self.output
        try:
            text = path.read_text(errors="replace")
        except FileNotFoundError:
            return f"({path} does not exist)"
        return "\n".join(text.splitlines()[-lines:])


def listening_ports(pid: int) -> set[int]:
    """Return the TCP ports that process ``pid`` listens on (from /proc)."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = str(fd.readlink())
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                tcp_listen = "0A"
                if fields[3] == tcp_listen and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def http_json(
    url: str,
    data: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    form: bool = False,
) -> Any:
    """GET (or POST ``data`` as JSON or a form) and return the decoded JSON answer."""
    headers = {}
    body = None
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, body, headers)  # noqa: S310 - http://127.0.0.1
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


@dataclass
class HomeAssistant:
    """A running Home Assistant, onboarded, and the simulator it talks to."""

    url: str
    port: int
    config: Path
    simulator_url: str
    # The moment both were started at, and when that was on this process's own clock.
    started_at: datetime
    started: float
    processes: list[Process] = field(default_factory=list)
    access_token: str = ""

    def now(self) -> datetime:
        """Return the time it is for Home Assistant and the simulator."""
        return self.started_at + timedelta(seconds=time.monotonic() - self.started)

    @property
    def log(self) -> Path:
        """Return the path of Home Assistant's log file."""
        return self.config / "home-assistant.log"

    def onboard(self) -> None:
        """Complete onboarding through the REST API, as the frontend's wizard does."""
        client_id = f"{self.url}/"
        answer = http_json(
            f"{self.url}/api/onboarding/users",
            {
                "name": HA_NAME,
                "username": HA_USERNAME,
                "password": HA_PASSWORD,
                "client_id": client_id,
                "language": "en",
            },
        )
        tokens = http_json(
            f"{self.url}/auth/token",
            {
                "grant_type": "authorization_code",
                "code": answer["auth_code"],
                "client_id": client_id,
            },
            form=True,
        )
        self.access_token = tokens["access_token"]
        # The wizard's location step sets these; without a country, Settings shows a
        # repair ("The country has not been configured").
        self.websocket(
            {
                "type": "config/core/update",
                "country": "NL",
                "currency": "EUR",
                "time_zone": "Europe/Amsterdam",
                "unit_system": "metric",
            }
        )
        http_json(f"{self.url}/api/onboarding/core_config", {}, token=self.access_token)
        http_json(f"{self.url}/api/onboarding/analytics", {}, token=self.access_token)
        http_json(
            f"{self.url}/api/onboarding/integration",
            {"client_id": client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
            token=self.access_token,
        )
        steps = http_json(f"{self.url}/api/onboarding")
        assert all(step["done"] for step in steps), steps

    def wait_until_running(self, process: Process) -> None:
        """Wait until Home Assistant has finished starting.

        Its HTTP server answers long before: start-up waits for onboarding, then for the
        integrations that onboarding adds (Radio Browser takes ~7 s to fail offline).
        Meanwhile the frontend shows "Home Assistant is starting" and config pages can
        miss config entries.
        """
        deadline = time.monotonic() + START_TIMEOUT
        while self.state() != "RUNNING":
            if not process.alive() or time.monotonic() > deadline:
                msg = (
                    f"Home Assistant did not finish starting:\n{process.tail(self.log)}"
                )
                raise RuntimeError(msg)
            time.sleep(0.2)

    def state(self) -> str:
        """Return Home Assistant's core state: NOT_RUNNING, STARTING, RUNNING..."""
        return str(
            http_json(f"{self.url}/api/config", token=self.access_token)["state"]
        )

    def entity_state(self, entity_id: str) -> str:
        """Return the state of an entity, as the REST API gives it."""
        url = f"{self.url}/api/states/{entity_id}"
        return str(http_json(url, token=self.access_token)["state"])

    def add_account(self) -> None:
        """Add the simulator's account through the config flow, unless it is there."""
        (entries,) = self.websocket(
            {"type": "config_entries/get", "domain": "clicktodial"}
        )
        if entries:
            return
        flow = http_json(
            f"{self.url}/api/config/config_entries/flow",
            {"handler": "clicktodial"},
            token=self.access_token,
        )
        result = http_json(
            f"{self.url}/api/config/config_entries/flow/{flow['flow_id']}",
            {"url": self.simulator_url, "email": EMAIL, "api_token": API_TOKEN},
            token=self.access_token,
        )
        assert result["type"] == "create_entry", result

    def save_dashboard(
        self, url_path: str, title: str, icon: str, config: dict[str, Any]
    ) -> None:
        """Save a dashboard in the sidebar (created unless there), as the editor does."""
        (dashboards,) = self.websocket({"type": "lovelace/dashboards/list"})
        if not any(item["url_path"] == url_path for item in dashboards):
            self.websocket(
                {
                    "type": "lovelace/dashboards/create",
                    "url_path": url_path,
                    "title": title,
                    "icon": icon,
                    "show_in_sidebar": True,
                    "require_admin": False,
                    "mode": "storage",
                }
            )
        self.websocket(
            {"type": "lovelace/config/save", "url_path": url_path, "config": config}
        )

    def websocket(self, *commands: dict[str, Any]) -> list[Any]:
        """Send websocket API commands one by one; return their results.

        Runs in a thread of its own, so that it works beside Playwright's sync API (which
        keeps an event loop registered as running on the main thread).
        """
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self._websocket(commands)).result()

    async def _websocket(self, commands: tuple[dict[str, Any], ...]) -> list[Any]:
        """Send websocket API commands one by one; return their results."""
        results = []
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{self.url}/api/websocket") as ws,
        ):
            assert (await ws.receive_json())["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            assert (await ws.receive_json())["type"] == "auth_ok"
            for number, command in enumerate(commands, 1):
                await ws.send_json({"id": number, **command})
                answer = await ws.receive_json()
                assert answer.get("success"), (command["type"], answer)
                results.append(answer["result"])
        return results


@contextlib.contextmanager
def running_home_assistant(
    library: Path, workdir: Path | None = None
) -> Iterator[HomeAssistant]:
    """Start the simulator and Home Assistant on free ports, onboarded; stop both after.

    Both start at ``start_moment()``, Home Assistant with ``library`` (libfaketime).
    Everything lives in a new temporary folder, removed afterwards.
    """
    tmp = Path(tempfile.mkdtemp(prefix="clicktodial-e2e-", dir=workdir))
    config = tmp / "config"
    processes: list[Process] = []
    try:
        sim_port, ha_port = free_port(), free_port()
        subprocess.run(  # noqa: S603
            [REPO / "scripts" / "develop-config", config, str(ha_port)], check=True
        )
        started_at, started = start_moment(), time.monotonic()
        simulator = Process.start(
            "simulator",
            [
                sys.executable,
                "-m",
                "simulator",
                "--host",
                HOST,
                "--port",
                str(sim_port),
                "--account",
                f"{EMAIL}:{API_TOKEN}",
                "--now",
                started_at.isoformat(),
            ],
            tmp / "simulator.out",
        )
        processes.append(simulator)
        hass_process = Process.start(
            "hass",
            [HASS_PYTHON, "-m", "homeassistant", "-c", str(config), "--skip-pip"],
            tmp / "hass.out",
            faked_time(started_at, library),
        )
        processes.append(hass_process)
        hass = HomeAssistant(
            url=f"http://{HOST}:{ha_port}",
            port=ha_port,
            config=config,
            simulator_url=f"http://{HOST}:{sim_port}",
            started_at=started_at,
            started=started,
            processes=processes,
        )
        _wait_until_up(hass, simulator, hass_process)
        hass.onboard()
        hass.wait_until_running(hass_process)
        yield hass
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_until_up(
    hass: HomeAssistant, simulator: Process, hass_process: Process
) -> None:
    """Wait until both answer, on the ports they were given; fail with their output."""
    deadline = time.monotonic() + START_TIMEOUT
    simulator_up = hass_up = False
    while not (simulator_up and hass_up):
        for process in (simulator, hass_process):
            if not process.alive():
                log = hass.log if process is hass_process else None
                msg = f"{process.name} exited during start-up:\n{process.tail(log)}"
                raise RuntimeError(msg)
        if time.monotonic() > deadline:
            msg = (
                f"not up after {START_TIMEOUT:.0f} s (simulator: {simulator_up}, "
                f"Home Assistant: {hass_up})\n{hass_process.tail(hass.log)}"
            )
            raise RuntimeError(msg)
        if not simulator_up:
            simulator_up = "Simulator listening on" in simulator.output.read_text()
        if not hass_up:
            with contextlib.suppress(OSError, urllib.error.URLError):
                http_json(f"{hass.url}/api/onboarding")
                # A busy port makes Home Assistant fall back to 8123 without a word,
                # and then something else answers here: check who listens.
                hass_up = hass.port in listening_ports(hass_process.popen.pid)
                if not hass_up:
                    msg = (
                        f"port {hass.port} answers, but not Home Assistant (which "
                        f"listens on {listening_ports(hass_process.popen.pid)})"
                    )
                    raise RuntimeError(msg)
        time.sleep(0.2)
