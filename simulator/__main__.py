"""Run the simulator on its own: ``python -m simulator --port 8765``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from . import DEFAULT_EMAIL, DEFAULT_TOKEN, SCENARIOS
from .app import SCENARIO_SUFFIXES, Simulator


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="A local simulator of the VoIPGRID click-to-dial API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on")
    parser.add_argument(
        "--account",
        action="append",
        metavar="EMAIL:TOKEN",
        help=f"an account that may log in (repeatable; default {DEFAULT_EMAIL}:{DEFAULT_TOKEN})",
    )
    parser.add_argument(
        "--partner-account",
        action="append",
        default=[],
        metavar="EMAIL:TOKEN",
        help="a partner account: it can log in but not start calls",
    )
    return parser.parse_args()


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    simulator = Simulator()
    simulator.record_requests = False
    for spec in args.account or [f"{DEFAULT_EMAIL}:{DEFAULT_TOKEN}"]:
        email, _, token = spec.partition(":")
        simulator.add_account(email, token)
    for spec in args.partner_account:
        email, _, token = spec.partition(":")
        simulator.add_account(email, token, partner=True)
    url = await simulator.start(args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    outcomes = ", ".join(
        f"...{suffix}: {name}" for suffix, name in SCENARIO_SUFFIXES.items()
    )
    print(
        f"Simulator listening on {url} ({len(SCENARIOS)} scenarios; {outcomes})",
        flush=True,
    )
    await stop.wait()
    await simulator.stop()


def main() -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args()))


if __name__ == "__main__":
    main()
