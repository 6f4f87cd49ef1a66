"""Call notifications the simulator pushes: scripted incoming and outgoing calls.

Each script is a list of steps, each a notification the platform would POST to every
subscribed URL, with the shapes of the platform's technical specification: a ``call_id``
shared by the whole call, ``created`` only for inbound calls, ``ringing`` once per phone
that starts ringing, then the answer and the end with its ``reason``. Some scripts play
what a receiver must cope with: the same notification twice, and one that arrives late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

ACCOUNT_NUMBER = "+31508009000"
CALLER_NUMBER = "+31612345678"
CALLER_NAME = "Bakker | Voys"
OUTBOUND_NUMBER = "+31508009899"

# The user's phones that ring for an inbound call (destination.targets).
DESK = {"account_number": 234, "name": "Desk", "number": "201", "user_numbers": ["201"]}
MOBILE = {
    "account_number": 235,
    "name": "Mobile",
    "number": "+31612000000",
    "user_numbers": ["202"],
}
# A colleague's phone (the Reception phone account of the simulator's phone list).
RECEPTION = {
    "account_number": 301,
    "name": "Reception",
    "number": "200",
    "user_numbers": ["200"],
}


@dataclass(frozen=True, kw_only=True)
class Step:
    """One notification of a script, ``at`` seconds after the call started."""

    at: float
    status: str
    reason: str = ""
    targets: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, kw_only=True)
class NotificationScript:
    """A scripted call: its direction and its notifications in the order they are sent."""

    direction: str
    steps: tuple[Step, ...]
    description: str
    # Whether the call rings the user's phones, and so is in their call history.
    mine: bool = True


NOTIFICATION_SCRIPTS: dict[str, NotificationScript] = {
    "answered": NotificationScript(
        direction="inbound",
        description="rings the desk phone, then the mobile too; answered at 6 s, ends at 30 s",
        steps=(
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=2, status="ringing", targets=(MOBILE,)),
            Step(at=6, status="in-progress"),
            Step(at=30, status="ended", reason="completed"),
        ),
    ),
    "missed": NotificationScript(
        direction="inbound",
        description="rings two phones for 10 s, nobody answers",
        steps=(
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=1.5, status="ringing", targets=(MOBILE,)),
            Step(at=10, status="ended", reason="no-answer"),
        ),
    ),
    "cancelled": NotificationScript(
        direction="inbound",
        description="the caller hangs up after 4 s of ringing",
        steps=(
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=4, status="ended", reason="cancelled"),
        ),
    ),
    "answered_elsewhere": NotificationScript(
        direction="inbound",
        description="rings, then a colleague answers it",
        steps=(
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=5, status="ended", reason="answered-elsewhere"),
        ),
    ),
    "duplicates": NotificationScript(
        direction="inbound",
        description="every notification comes twice; answered at 3 s, ends at 8 s",
        steps=(
            Step(at=0, status="created"),
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=3, status="in-progress"),
            Step(at=3, status="in-progress"),
            Step(at=8, status="ended", reason="completed"),
            Step(at=8, status="ended", reason="completed"),
        ),
    ),
    "out_of_order": NotificationScript(
        direction="inbound",
        description="missed; the last ringing arrives after the end",
        steps=(
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(DESK,)),
            Step(at=6, status="ended", reason="no-answer"),
            Step(at=6.5, status="ringing", targets=(MOBILE,)),
        ),
    ),
    "colleague": NotificationScript(
        direction="inbound",
        description="rings only a colleague's phone (Reception) for 8 s, nobody answers",
        mine=False,
        steps=(
            Step(at=0, status="created"),
            Step(at=0.5, status="ringing", targets=(RECEPTION,)),
            Step(at=8, status="ended", reason="no-answer"),
        ),
    ),
    "outgoing": NotificationScript(
        direction="outbound",
        description="a call out, answered at 4 s, ends at 20 s",
        steps=(
            Step(at=0, status="ringing"),
            Step(at=4, status="in-progress"),
            Step(at=20, status="ended", reason="completed"),
        ),
    ),
    "outgoing_unanswered": NotificationScript(
        direction="outbound",
        description="a call out that nobody answers",
        steps=(
            Step(at=0, status="ringing"),
            Step(at=15, status="ended", reason="no-answer"),
        ),
    ),
}


# An inbound call while the user is not available (no phone rings): the platform tells
# of the call and, at once, of its end; nobody was reached.
NOBODY_RINGS: tuple[Step, ...] = (
    Step(at=0, status="created"),
    Step(at=0, status="ended", reason="no-answer"),
)

# What a click-to-dial call started on the simulator pushes, by its status: the call out
# to the number asked for rings once the platform dials it, is answered when connected,
# and ends with a reason. (The ringing of the user's own phone first is not pushed.)
STARTED_CALL_STEPS: dict[str, tuple[str, str]] = {
    "dialing_b": ("ringing", ""),
    "connected": ("in-progress", ""),
    "disconnected": ("ended", "completed"),
    "failed_b": ("ended", "no-answer"),
    "failing_b": ("ended", "no-answer"),
}


def notification_body(
    *,
    call_id: str,
    step: Step,
    direction: str,
    timestamp: datetime,
    caller_number: str,
    caller_name: str | None,
    destination_number: str,
) -> dict[str, Any]:
    """Return the JSON document the platform POSTs for one step of a call."""
    inbound = direction == "inbound"
    return {
        "call_id": call_id,
        "timestamp": timestamp.isoformat(),
        "status": step.status,
        "version": "v2",
        "direction": direction,
        "reason": step.reason,
        "caller": {
            "number": caller_number,
            # The platform often knows no name yet when the call is created.
            "name": None if step.status == "created" else caller_name,
            "account_number": None if inbound else 234,
            "user_numbers": [] if inbound else ["201"],
            "user_emails": [],
        },
        "destination": {
            "number": destination_number,
            "targets": list(step.targets),
        },
    }


def script_notifications(
    script: str,
    *,
    call_id: str,
    start: datetime,
    caller_number: str | None = None,
    caller_name: str | None = CALLER_NAME,
    available: bool = True,
    to: str | None = None,
    colleague: dict[str, Any] | None = None,
) -> list[tuple[float, dict[str, Any]]]:
    """Return a script's notifications with the seconds after ``start`` each is sent.

    For an inbound call ``caller_number`` calls the account; for an outbound call it
    is the number the account calls. When the user is not ``available``, an inbound
    call rings no phone: it is missed without ringing, whatever the script. ``to``
    makes it a colleague's call: the phone with that extension (``colleague``, the
    phone account when known) rings, or calls out, instead of the user's.
    """
    played = NOTIFICATION_SCRIPTS[script]
    inbound = played.direction == "inbound"
    steps = played.steps if available or not inbound else NOBODY_RINGS
    other = caller_number or (CALLER_NUMBER if inbound else OUTBOUND_NUMBER)
    played_steps = [
        (
            step.at,
            notification_body(
                call_id=call_id,
                step=step,
                direction=played.direction,
                timestamp=start + timedelta(seconds=step.at),
                caller_number=other if inbound else ACCOUNT_NUMBER,
                caller_name=caller_name if inbound else "Demo User",
                destination_number=ACCOUNT_NUMBER if inbound else other,
            ),
        )
        for step in steps
    ]
    if to is not None:
        for _, body in played_steps:
            colleague_call(body, to, colleague)
    return played_steps


def colleague_call(body: dict[str, Any], to: str, phone: dict[str, Any] | None) -> None:
    """Make a notification's call a colleague's: their phone (``to``) rings or calls."""
    if body["direction"] == "inbound":
        body["destination"]["number"] = to
        if body["destination"]["targets"]:
            body["destination"]["targets"] = [
                {
                    "account_number": phone["id"] if phone else None,
                    "name": phone.get("description") if phone else None,
                    "number": to,
                    "user_numbers": [to],
                }
            ]
    else:
        body["caller"]["number"] = to
        body["caller"]["account_number"] = phone["id"] if phone else None
        body["caller"]["user_numbers"] = [to]
