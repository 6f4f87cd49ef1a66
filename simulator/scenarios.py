"""The calls the simulator plays: timelines of the platform's raw statuses, by number called."""

from __future__ import annotations

# A timeline is a sequence of (seconds after the call was started, raw platform status).
type Timeline = tuple[tuple[float, str | None], ...]

SCENARIOS: dict[str, Timeline] = {
    # A normal call: the user's phone rings, then the other side, then 30 s of talk.
    "normal": (
        (0, None),
        (2, "dialing_a"),
        (6, "dialing_b"),
        (10, "connected"),
        (40, "disconnected"),
    ),
    # The user's own phone is not answered (old spelling, as most clients see it).
    "failed_a": ((0, None), (2, "dialing_a"), (22, "failed_a")),
    # The other side is not reached.
    "failed_b": ((0, None), (2, "dialing_a"), (6, "dialing_b"), (26, "failed_b")),
    # The user must press 1 to accept the call.
    "confirm": (
        (0, None),
        (2, "dialing_a"),
        (5, "confirm"),
        (8, "dialing_b"),
        (12, "connected"),
        (42, "disconnected"),
    ),
    # The number is blocked on the platform.
    "blacklisted": ((0, None), (1, "blacklisted")),
    # The user's phone rings forever: set-up never ends.
    "stuck": ((0, None), (2, "dialing_a")),
    # A ten-minute conversation.
    "long": (
        (0, None),
        (2, "dialing_a"),
        (6, "dialing_b"),
        (10, "connected"),
        (610, "disconnected"),
    ),
    # The platform sends a status nobody documented.
    "unknown_status": (
        (0, ""),
        (2, "dialing_a"),
        (4, "ringing_somewhere"),
        (8, "connected"),
        (12, "disconnected"),
    ),
    # The user is not available ("Phone that rings": none): no phone of theirs rings.
    "not_available": ((0, None), (1, "failed_a")),
}

# The last three digits of the dialled number choose the scenario, so a person can try
# each outcome from the demo: +31508009901 fails on the A side, and so on.
SCENARIO_SUFFIXES = {
    "901": "failed_a",
    "902": "failed_b",
    "903": "confirm",
    "904": "blacklisted",
    "905": "stuck",
    "906": "long",
    "907": "unknown_status",
}


def scenario_for(b_number: str) -> Timeline:
    """Return the timeline the simulator plays for a dialled number."""
    return SCENARIOS[SCENARIO_SUFFIXES.get(b_number[-3:], "normal")]
