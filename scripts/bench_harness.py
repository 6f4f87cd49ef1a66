"""What the two benchmarks share: a test Home Assistant, the simulator's thread, figures.

Imported by ``scripts/bench.py`` and ``scripts/bench_notifications.py`` after they put the
repository first on ``sys.path`` and import the integration (as ``tests/conftest.py``
does), so that the integration Home Assistant loads is this repository's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
import contextlib
import logging
import math
import os
import platform
import tempfile
import threading
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import ThreadedResolver
from aiohttp.test_utils import TestServer
from pytest_homeassistant_custom_component.common import async_test_home_assistant
import pytest_socket

from homeassistant import loader
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from homeassistant.setup import async_setup_component
from simulator import Simulator


def prepare() -> None:
    """Log errors only, and refuse any connection but to 127.0.0.1, as the tests do."""
    logging.basicConfig(level=logging.ERROR)
    pytest_socket.socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)


def environment(**extra: Any) -> dict[str, Any]:
    """Return what the figures were measured on."""
    return {
        "home_assistant": ha_version,
        "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0)),
        **extra,
    }


def percentile(values: list[float], q: float) -> float:
    """Return the nearest-rank percentile ``q`` (0..1) of ``values``."""
    return sorted(values)[max(0, math.ceil(q * len(values)) - 1)]


class SimulatorThread:
    """The simulator on its own event loop in a second thread."""

    def __init__(self, sim: Simulator) -> None:
        """Wrap ``sim``; nothing runs yet."""
        self.sim = sim
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="simulator", daemon=True
        )

    async def run[T](self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the simulator's loop and wait for it."""
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(coro, self.loop)
        )

    async def start(self) -> str:
        """Serve on 127.0.0.1; return the base URL."""
        self.thread.start()
        return await self.run(self.sim.start())

    async def stop(self) -> None:
        """Stop serving and end the thread."""
        await self.run(self.sim.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@contextlib.asynccontextmanager
async def serving(sim: Simulator, *, threaded: bool) -> AsyncIterator[None]:
    """Serve the simulator from this event loop, or from its own in a second thread."""
    if not threaded:
        await sim.start()
        try:
            yield
        finally:
            await sim.stop()
        return
    thread = SimulatorThread(sim)
    await thread.start()
    try:
        yield
    finally:
        await thread.stop()


@contextlib.asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """Run a test Home Assistant in a temporary config dir, custom integrations on."""
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    with (
        tempfile.TemporaryDirectory(prefix="clicktodial-bench-") as config_dir,
        # Nothing to resolve: the simulator is on 127.0.0.1.
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            return_value=resolver,
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # custom integrations on
            try:
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)


@contextlib.asynccontextmanager
async def reachable(hass: HomeAssistant) -> AsyncIterator[int]:
    """Serve Home Assistant's HTTP API on 127.0.0.1 as its external URL; yield the port.

    The components that register views (the webhook, the account's calendar) are set up
    before the server starts: its router is frozen then.
    """
    for component in ("webhook", "calendar"):
        if not await async_setup_component(hass, component, {}):
            raise RuntimeError(f"the {component} component did not set up")
    server = TestServer(hass.http.app, host="127.0.0.1")
    await server.start_server()
    try:
        await hass.config.async_update(external_url=f"http://127.0.0.1:{server.port}")
        yield server.port
    finally:
        await server.close()
