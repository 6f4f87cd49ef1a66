"""Run the simulator on its own: ``python -m simulator --port 8765``.

``python -m simulator ring [SCRIPT]`` makes a running simulator "ring": it plays a scripted
call and pushes its notifications to every subscribed URL. ``python -m simulator queue
--add 2 sales`` makes two callers wait in its Sales queue.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import urllib.error
import urllib.request

from . import DEFAULT_EMAIL, DEFAULT_TOKEN, SCENARIOS
from .app import SCENARIO_SUFFIXES, Simulator
from .notifications import NOTIFICATION_SCRIPTS

# The port of the simulator when none is given: $SIMULATOR_PORT, as scripts/develop uses.
PORT_VARIABLE = "SIMULATOR_PORT"
DEFAULT_PORT = 8765


def default_port() -> int:
    """Return the port of $SIMULATOR_PORT, else 8765."""
    return int(os.environ.get(PORT_VARIABLE) or DEFAULT_PORT)


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="A local simulator of the VoIPGRID click-to-dial API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=default_port(),
        help=f"port to listen on (default ${PORT_VARIABLE}, else {DEFAULT_PORT})",
    )
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
    parser.add_argument(
        "--refuse-hang-up",
        type=int,
        choices=(400, 404, 405),
        metavar="STATUS",
        help="answer a request to stop a call with this HTTP status (400, 404 or "
        "405), as a platform that cannot; without it, calls stop",
    )
    return parser.parse_args()


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    # As the platform, it pushes the calls it starts too (to the accounts' subscriptions).
    simulator = Simulator(push_started_calls=True)
    simulator.record_requests = False
    simulator.hang_up_refusal = args.refuse_hang_up
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


def parse_ring_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line of ``ring``."""
    scripts = "; ".join(
        f"{name}: {script.description}" for name, script in NOTIFICATION_SCRIPTS.items()
    )
    parser = argparse.ArgumentParser(
        prog="python -m simulator ring",
        description="Make a running simulator ring: play a scripted call and push its "
        f"notifications to every subscribed URL. Scripts: {scripts}.",
    )
    parser.add_argument(
        "script", nargs="?", default="missed", choices=sorted(NOTIFICATION_SCRIPTS)
    )
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{default_port()}",
        help=f"the running simulator (default on 127.0.0.1 at ${PORT_VARIABLE}, "
        f"else {DEFAULT_PORT})",
    )
    parser.add_argument("--caller", help="the caller's number (inbound scripts)")
    parser.add_argument("--name", help="the caller's name as the platform knows it")
    parser.add_argument("--email", help="only this account's subscriptions")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="2 plays twice as fast; 0 at once"
    )
    return parser.parse_args(argv)


def ring(args: argparse.Namespace) -> int:
    """Ask a running simulator to play a scripted call; print what it answered."""
    optional = {
        "caller_number": args.caller,
        "caller_name": args.name,
        "email": args.email,
    }
    body: dict[str, object] = {
        "script": args.script,
        "speed": args.speed,
        **{key: value for key, value in optional.items() if value is not None},
    }
    request = urllib.request.Request(  # noqa: S310 - the simulator, given by the user
        f"{args.url.rstrip('/')}/simulator/ring",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError) as err:
        print(f"Cannot reach the simulator at {args.url}: {err}", file=sys.stderr)
        return 1
    print(
        f"Playing {answer['script']} as call {answer['call_id']} to "
        f"{answer['subscriptions']} subscribed URL(s)"
    )
    return 0


def parse_queue_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line of ``queue``."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator queue",
        description="Make callers wait in a call queue of a running simulator, or leave "
        "it; print how many wait now. Queues: Sales (801) and Support (802).",
    )
    parser.add_argument("queue", help="the queue's name, internal number or id")
    change = parser.add_mutually_exclusive_group()
    change.add_argument(
        "--add", type=int, default=0, metavar="N", help="N more callers wait"
    )
    change.add_argument("--remove", type=int, metavar="N", help="N callers leave")
    change.add_argument("--set", type=int, metavar="N", help="exactly N callers wait")
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{default_port()}",
        help=f"the running simulator (default on 127.0.0.1 at ${PORT_VARIABLE}, "
        f"else {DEFAULT_PORT})",
    )
    return parser.parse_args(argv)


def queue(args: argparse.Namespace) -> int:
    """Ask a running simulator to change a queue; print how many callers wait in it."""
    body: dict[str, object] = {"queue": args.queue}
    if args.set is not None:
        body["set"] = args.set
    else:
        body["add"] = -args.remove if args.remove is not None else args.add
    answer = _post(args.url, "/simulator/queue", body)
    if answer is None:
        return 1
    if "error" in answer:
        print(answer["error"], file=sys.stderr)
        return 1
    print(f"{answer['waiting']} caller(s) waiting in {answer['queue']}")
    return 0


def _post(url: str, path: str, body: dict[str, object]) -> dict[str, object] | None:
    """POST JSON to a running simulator; return its JSON answer (None when unreachable)."""
    request = urllib.request.Request(  # noqa: S310 - the simulator, given by the user
        f"{url.rstrip('/')}{path}",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as err:
        answer = json.loads(err.read() or b"{}")
    except (urllib.error.URLError, OSError) as err:
        print(f"Cannot reach the simulator at {url}: {err}", file=sys.stderr)
        return None
    assert isinstance(answer, dict)
    return answer


def main() -> None:
    """Entry point."""
    if sys.argv[1:2] == ["ring"]:
        sys.exit(ring(parse_ring_args(sys.argv[2:])))
    if sys.argv[1:2] == ["queue"]:
        sys.exit(queue(parse_queue_args(sys.argv[2:])))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args()))


if __name__ == "__main__":
    main()
