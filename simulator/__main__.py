"""Run the simulator on its own: ``python -m simulator --port 8765``.

``--now 2026-12-07T12:00:00+01:00`` starts its wall clock (the calls' dates, the scripted
call history) at that moment instead of the real time; it runs on from there.

``python -m simulator ring [SCRIPT]`` makes a running simulator "ring": it plays a scripted
call and pushes its notifications to every subscribed URL. ``python -m simulator phone
offline Desk`` (or ``online``) takes a phone of the running simulator offline or online.
``python -m simulator queue --add 2 sales`` makes two callers wait in its Sales queue.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import datetime
import json
import os
import signal
import sys
import urllib.error
import urllib.request

from . import (
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    SCENARIO_SUFFIXES,
    SCENARIOS,
    Simulator,
    wall_clock_at,
)
from .notifications import NOTIFICATION_SCRIPTS

# The port of the simulator when none is given: $SIMULATOR_PORT, as scripts/develop uses.
PORT_VARIABLE = "SIMULATOR_PORT"
DEFAULT_PORT = 8765
# The moment the wall clock starts at when --now is not given (unset: the real time).
NOW_VARIABLE = "SIMULATOR_NOW"


def default_port() -> int:
    """Return the port of $SIMULATOR_PORT, else 8765."""
    return int(os.environ.get(PORT_VARIABLE) or DEFAULT_PORT)


def moment(value: str) -> datetime:
    """Parse an ISO 8601 moment that says its offset from UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        msg = f"{value!r} has no offset from UTC (for example +01:00 or Z)"
        raise argparse.ArgumentTypeError(msg)
    return parsed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
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
        "--now",
        type=moment,
        default=os.environ.get(NOW_VARIABLE) or None,
        metavar="ISO_MOMENT",
        help="start the wall clock at this moment, with its offset "
        f"(default ${NOW_VARIABLE}, else the real time); it runs on from there",
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
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    # As the platform, it pushes the calls it starts too (to the accounts' subscriptions).
    simulator = (
        Simulator(push_started_calls=True)
        if args.now is None
        else Simulator(push_started_calls=True, wall_clock=wall_clock_at(args.now))
    )
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
    url_argument(parser)
    parser.add_argument("--caller", help="the caller's number (inbound scripts)")
    parser.add_argument("--name", help="the caller's name as the platform knows it")
    parser.add_argument("--email", help="only this account's subscriptions")
    parser.add_argument(
        "--to", help="a colleague's extension: their phone rings (or calls out)"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="2 plays twice as fast; 0 at once"
    )
    return parser.parse_args(argv)


def url_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--url``: the running simulator."""
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{default_port()}",
        help=f"the running simulator (default on 127.0.0.1 at ${PORT_VARIABLE}, "
        f"else {DEFAULT_PORT})",
    )


def parse_phone_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line of ``phone``."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator phone",
        description="Take a phone of a running simulator offline or online (its phone "
        "account's sipreginfo): the user's Desk and Softphone, the colleagues' "
        "Reception and Sales.",
    )
    parser.add_argument("state", choices=["offline", "online"])
    parser.add_argument("phone", help="the phone's name (Desk) or phone account id")
    url_argument(parser)
    parser.add_argument("--email", help="only this account's phone")
    return parser.parse_args(argv)


def post(url: str, path: str, body: dict[str, object]) -> dict[str, object] | None:
    """POST JSON to a running simulator; return its answer, None when refused or away."""
    request = urllib.request.Request(  # noqa: S310 - the simulator, given by the user
        f"{url.rstrip('/')}{path}",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer: dict[str, object] = json.loads(response.read())
    except urllib.error.HTTPError as err:
        print(f"The simulator refused: {err.read().decode()}", file=sys.stderr)
        return None
    except (urllib.error.URLError, OSError) as err:
        print(f"Cannot reach the simulator at {url}: {err}", file=sys.stderr)
        return None
    return answer


def ring(args: argparse.Namespace) -> int:
    """Ask a running simulator to play a scripted call; print what it answered."""
    optional = {
        "caller_number": args.caller,
        "caller_name": args.name,
        "email": args.email,
        "to": args.to,
    }
    body: dict[str, object] = {
        "script": args.script,
        "speed": args.speed,
        **{key: value for key, value in optional.items() if value is not None},
    }
    if (answer := post(args.url, "/simulator/ring", body)) is None:
        return 1
    print(
        f"Playing {answer['script']} as call {answer['call_id']} to "
        f"{answer['subscriptions']} subscribed URL(s)"
    )
    return 0


def phone(args: argparse.Namespace) -> int:
    """Ask a running simulator to take a phone offline or online."""
    body: dict[str, object] = {"phone": args.phone, "online": args.state == "online"}
    if args.email is not None:
        body["email"] = args.email
    if (answer := post(args.url, "/simulator/phone", body)) is None:
        return 1
    print(f"{answer['phone']} is {args.state} for {answer['accounts']} account(s)")
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
    url_argument(parser)
    return parser.parse_args(argv)


def queue(args: argparse.Namespace) -> int:
    """Ask a running simulator to change a queue; print how many callers wait in it."""
    body: dict[str, object] = {"queue": args.queue}
    if args.set is not None:
        body["set"] = args.set
    else:
        body["add"] = -args.remove if args.remove is not None else args.add
    if (answer := post(args.url, "/simulator/queue", body)) is None:
        return 1
    print(f"{answer['waiting']} caller(s) waiting in {answer['queue']}")
    return 0


def main() -> None:
    """Entry point."""
    if sys.argv[1:2] == ["ring"]:
        sys.exit(ring(parse_ring_args(sys.argv[2:])))
    if sys.argv[1:2] == ["phone"]:
        sys.exit(phone(parse_phone_args(sys.argv[2:])))
    if sys.argv[1:2] == ["queue"]:
        sys.exit(queue(parse_queue_args(sys.argv[2:])))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args()))


if __name__ == "__main__":
    main()
