"""Tests of the automation blueprints, loaded and run by Home Assistant's machinery."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from simulator import SCENARIOS, Fault, RecordedRequest, Simulator

from . import helpers
from .helpers import BLUEPRINT_DIR, install_blueprints

# This repository's blueprints in the config dir.
pytestmark = pytest.mark.hass_config(blueprints=True)

NOTIFY = "call_and_notify_on_failure.yaml"
RETRY = "call_retry_if_not_reached.yaml"

SENSOR = "sensor.demo_user_call_status"
EVENT = "event.demo_user_call"
TRIGGER = "input_boolean.trigger"
NOTIFIED = "test_notified"

NORMAL = "+31508009899"  # connects at 10 s, ends at 40 s
FAILS_A = "+31508009901"  # own phone not answered at 22 s
FAILS_B = "+31508009902"  # called side not reached at 26 s
BLACKLISTED = "+31508009904"  # blocked at 1 s
STUCK = "+31508009905"  # rings the own phone forever

# The stand-in for a notification: an event carrying the blueprint's variables.
NOTIFY_ACTION = [
    {
        "event": NOTIFIED,
        "event_data": {
            "message": "Call {{ call_id }} to {{ number }}: {{ call_status }}",
            "call_id": "{{ call_id }}",
            "call_status": "{{ call_status }}",
            "first_call_id": "{{ first_call_id | default('') }}",
        },
    }
]


# The tasks of automation runs. A run waits (wait_for_trigger, delay) until time moves,
# so Home Assistant's async_block_till_done would wait for it forever.
_RUN_TASKS = {
    "Script.async_run",
    "AutomationEntity.async_trigger",
    "AutomationEntity._async_trigger_if_enabled",
}


def _is_run(task: asyncio.Task[Any]) -> bool:
    coro = task.get_coro()
    return getattr(coro, "__qualname__", "") in _RUN_TASKS


async def settle(hass: HomeAssistant) -> None:
    """Let all pending work finish, except automation runs parked in a wait."""
    current = asyncio.current_task()
    quiet = 0
    while quiet < 3:
        await asyncio.sleep(0)
        pending = [
            task
            for task in hass._tasks | hass._background_tasks
            if task is not current and not task.done() and not _is_run(task)
        ]
        if pending:
            quiet = 0
            await asyncio.wait(pending)
        else:
            quiet += 1


# Time moves as in the other tests, but parked automation runs are not waited for.
advance = partial(helpers.advance, settle=settle)


def use_blueprint(path: str, **inputs: Any) -> dict[str, Any]:
    """Return an automation made from a blueprint, started by the test's boolean."""
    return {
        "use_blueprint": {
            "path": f"clicktodial/{path}",
            "input": {
                "triggers": [{"trigger": "state", "entity_id": TRIGGER, "to": "on"}],
                "call_event": EVENT,
                **inputs,
            },
        }
    }


async def setup_automations(hass: HomeAssistant, *automations: dict[str, Any]) -> None:
    """Set up the trigger boolean and the automations; each must be valid and on."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"trigger": None}}
    )
    configs = [
        {"id": str(index), "alias": f"Automation {index}", **config}
        for index, config in enumerate(automations)
    ]
    assert await async_setup_component(hass, "automation", {"automation": configs})
    await hass.async_block_till_done()
    for index in range(len(automations)):
        assert hass.states.get(f"automation.automation_{index}").state == "on"


async def fire_trigger(hass: HomeAssistant) -> None:
    """Turn the trigger boolean off and on, and let the automations start."""
    for service in ("turn_off", "turn_on"):
        await hass.services.async_call(
            "input_boolean", service, {"entity_id": TRIGGER}, blocking=True
        )
    await settle(hass)


def running(hass: HomeAssistant, index: int = 0) -> int:
    """Return how many runs of an automation are in progress."""
    return int(hass.states.get(f"automation.automation_{index}").attributes["current"])


async def until_status(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, status: str, limit: float
) -> float:
    """Move time in 0.5 s steps until the latest call has ``status``; return when."""
    moved = 0.0
    while hass.states.get(SENSOR).state != status:
        assert moved < limit, f"{status} not reached in {limit} s"
        await advance(hass, freezer, 0.5, step=0.5)
        moved += 0.5
    return hass.loop.time()


def started(simulator: Simulator) -> list[RecordedRequest]:
    """Return the requests that started calls."""
    return [r for r in simulator.requests if r.endpoint == "start_call"]


# -- the blueprint files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (NOTIFY, "Call a number when something happens, notify me if the call fails"),
        (
            RETRY,
            "Call, and if the called side is not reached, retry once after N minutes",
        ),
    ],
)
def test_blueprint_file(path: str, name: str) -> None:
    """Each file is a valid automation blueprint, every input declared, used, described."""
    inputs = helpers.checked_blueprint(path, name).inputs
    assert inputs["triggers"]["selector"] == {"trigger": {}}
    assert inputs["call_event"]["selector"]["entity"]["filter"] == [
        {"integration": "clicktodial", "domain": ["event"]}
    ]
    assert inputs["config_entry"]["selector"]["config_entry"] == {
        "integration": "clicktodial"
    }
    assert inputs["notify_action"]["selector"] == {"action": {}}


async def test_blueprints_load_in_home_assistant(hass: HomeAssistant) -> None:
    """Home Assistant finds every blueprint in its blueprint folder and loads it."""
    found = await async_get_blueprints(hass).async_get_blueprints()
    assert set(found) == {
        f"clicktodial/{path.name}" for path in BLUEPRINT_DIR.glob("*.yaml")
    }
    assert {f"clicktodial/{NOTIFY}", f"clicktodial/{RETRY}"} <= set(found)
    for blueprint in found.values():
        assert isinstance(blueprint, Blueprint), blueprint
        assert blueprint.domain == "automation"


def files(folder: Path) -> dict[str, bytes]:
    """Return the name and content of each file in a folder."""
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def leave_previous(target: Path, previous: str) -> None:
    """Leave a blueprint folder as an earlier run or a user may have left it."""
    if previous == "copy":
        (target / NOTIFY).write_text("outdated")
        (target / "removed_since.yaml").write_text("blueprint: {}")
    else:
        shutil.rmtree(target)
        target.symlink_to(BLUEPRINT_DIR, target_is_directory=True)


@pytest.mark.parametrize("previous", ["copy", "link"])
async def test_blueprints_replace_what_was_there(
    hass: HomeAssistant, previous: str
) -> None:
    """A config dir that holds the blueprint folder already gets a fresh copy.

    A previous copy (with an outdated file and one since removed) is replaced; a link
    to the repository's folder is replaced without touching the repository.
    """
    run = hass.async_add_executor_job
    repository = await run(files, BLUEPRINT_DIR)
    config_dir = Path(hass.config.config_dir)
    target = config_dir / "blueprints" / "automation" / "clicktodial"
    # Installed for this test already: as if by an earlier run.
    assert await run(files, target) == repository
    await run(leave_previous, target, previous)

    assert await run(install_blueprints, config_dir) == target

    assert not await run(target.is_symlink)
    assert await run(files, target) == repository
    assert await run(files, BLUEPRINT_DIR) == repository
    found = await async_get_blueprints(hass).async_get_blueprints()
    assert set(found) == {
        f"clicktodial/{path.name}" for path in BLUEPRINT_DIR.glob("*.yaml")
    }


# -- call and notify on failure ---------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_notify_when_called_side_not_reached(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call that fails on the B side runs the notify action once, with its variables."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass, use_blueprint(NOTIFY, number=FAILS_B, notify_action=NOTIFY_ACTION)
    )
    await fire_trigger(hass)
    assert [request.body["b_number"] for request in started(simulator)] == [FAILS_B]
    call_id = hass.states.get(SENSOR).attributes["call_id"]
    assert running(hass) == 1

    await advance(hass, freezer, 25, step=1)
    assert notified == []  # still ringing at the other side
    await until_status(hass, freezer, "failing_b", limit=3)
    assert len(notified) == 1
    assert notified[0].data == {
        "message": f"Call {call_id} to {FAILS_B}: failing_b",
        "call_id": call_id,
        "call_status": "failing_b",
        "first_call_id": "",
    }
    assert running(hass) == 0

    await advance(hass, freezer, 60, step=1)
    assert len(notified) == 1
    assert simulator.count("start_call") == 1


@pytest.mark.parametrize(
    ("number", "status"), [(FAILS_A, "failing_a"), (BLACKLISTED, "blacklisted")]
)
@pytest.mark.usefixtures("init_integration")
async def test_notify_other_failures(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, number: str, status: str
) -> None:
    """A failure on the A side and a blocked number are failures too."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass, use_blueprint(NOTIFY, number=number, notify_action=NOTIFY_ACTION)
    )
    await fire_trigger(hass)
    await until_status(hass, freezer, status, limit=30)
    assert [event.data["call_status"] for event in notified] == [status]


@pytest.mark.usefixtures("init_integration")
async def test_notify_when_call_fails_at_once(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A call the platform answers with a final status is not waited for."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass, use_blueprint(NOTIFY, number=NORMAL, notify_action=NOTIFY_ACTION)
    )
    # Its only status event fires inside the action, before any wait could see it.
    simulator.script_next_call(((0, "blacklisted"),))
    await fire_trigger(hass)
    assert [event.data["call_status"] for event in notified] == ["blacklisted"]
    assert running(hass) == 0


@pytest.mark.usefixtures("init_integration")
async def test_no_notification_when_call_connects(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call that connects notifies nobody, and the run ends once it has connected."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass, use_blueprint(NOTIFY, number=NORMAL, notify_action=NOTIFY_ACTION)
    )
    await fire_trigger(hass)
    assert simulator.count("start_call") == 1
    assert running(hass) == 1
    await until_status(hass, freezer, "connected", limit=12)
    assert running(hass) == 0  # stopped waiting on "connected", not at the timeout

    await until_status(hass, freezer, "disconnected", limit=35)
    await advance(hass, freezer, 60, step=1)
    assert notified == []


@pytest.mark.usefixtures("init_integration")
async def test_notify_follows_its_own_call(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """Two overlapping calls on one account: only the failed one notifies."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass,
        use_blueprint(NOTIFY, number=FAILS_B, notify_action=NOTIFY_ACTION),
        use_blueprint(NOTIFY, number=NORMAL, notify_action=NOTIFY_ACTION),
    )
    await fire_trigger(hass)
    assert simulator.count("start_call") == 2
    failing_id = next(
        call_id for call_id, call in simulator.calls.items() if call.b_number == FAILS_B
    )

    await advance(hass, freezer, 30, step=0.5)
    assert [event.data["call_id"] for event in notified] == [failing_id]
    assert running(hass, 0) == 0
    assert running(hass, 1) == 0


@pytest.mark.usefixtures("init_integration")
async def test_notify_when_call_cannot_start(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A call the platform refuses to start is reported as not started."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass, use_blueprint(NOTIFY, number=NORMAL, notify_action=NOTIFY_ACTION)
    )
    simulator.inject("start_call", Fault.http(500, {"detail": "Server error."}))
    await fire_trigger(hass)
    assert simulator.count("start_call") == 1
    assert len(notified) == 1
    assert notified[0].data["call_status"] == "not_started"
    assert notified[0].data["message"] == f"Call  to {NORMAL}: not_started"
    assert running(hass) == 0


@pytest.mark.usefixtures("init_integration")
async def test_notify_when_call_never_ends(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A call that neither connects nor ends by the timeout is reported as timeout."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass,
        use_blueprint(
            NOTIFY, number=STUCK, notify_action=NOTIFY_ACTION, wait_timeout=1
        ),
    )
    await fire_trigger(hass)
    await advance(hass, freezer, 59, step=1)
    assert notified == []
    await advance(hass, freezer, 2, step=0.5)
    assert [event.data["call_status"] for event in notified] == ["timeout"]


async def test_account_must_match_call_event(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A chosen account that is not the event entity's stops before calling."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass,
        use_blueprint(
            NOTIFY,
            number=NORMAL,
            notify_action=NOTIFY_ACTION,
            config_entry="some_other_entry",
        ),
        use_blueprint(
            NOTIFY,
            number=NORMAL,
            notify_action=NOTIFY_ACTION,
            config_entry=init_integration.entry_id,
        ),
    )
    await fire_trigger(hass)
    # Only the automation naming the event entity's own account called.
    assert simulator.count("start_call") == 1
    assert notified == []


# -- call, retry once if not reached ---------------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_retry_once_after_delay(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """B not reached: one more call exactly N minutes later; notify when it fails too."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass,
        use_blueprint(
            RETRY, number=FAILS_B, retry_delay=2, notify_action=NOTIFY_ACTION
        ),
    )
    await fire_trigger(hass)
    assert simulator.count("start_call") == 1
    first_id = hass.states.get(SENSOR).attributes["call_id"]
    failed_at = await until_status(hass, freezer, "failing_b", limit=30)

    # A trigger during the pending retry is ignored (mode: single).
    await fire_trigger(hass)
    await advance(hass, freezer, 119, step=1)
    assert simulator.count("start_call") == 1
    await advance(hass, freezer, 2, step=0.5)
    assert simulator.count("start_call") == 2
    retry = started(simulator)[1]
    assert 120 <= retry.at - failed_at <= 120.5  # the loop's clock, as the simulator's
    assert retry.body["b_number"] == FAILS_B
    retry_id = hass.states.get(SENSOR).attributes["call_id"]
    assert retry_id != first_id
    assert notified == []

    await until_status(hass, freezer, "failing_b", limit=30)
    assert len(notified) == 1
    assert notified[0].data == {
        "message": f"Call {retry_id} to {FAILS_B}: failing_b",
        "call_id": retry_id,
        "call_status": "failing_b",
        "first_call_id": first_id,
    }
    assert running(hass) == 0

    await advance(hass, freezer, 600, step=10)
    assert simulator.count("start_call") == 2
    assert len(notified) == 1


@pytest.mark.usefixtures("init_integration")
async def test_retry_reached_notifies_nobody(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """A retry that connects ends the run without a notification."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass,
        use_blueprint(
            RETRY, number=FAILS_B, retry_delay=1, notify_action=NOTIFY_ACTION
        ),
    )
    await fire_trigger(hass)
    simulator.script_next_call(SCENARIOS["normal"])  # the retry gets through
    await until_status(hass, freezer, "failing_b", limit=30)
    await advance(hass, freezer, 61, step=1)
    assert simulator.count("start_call") == 2
    await until_status(hass, freezer, "connected", limit=12)
    assert running(hass) == 0
    await advance(hass, freezer, 60, step=1)
    assert notified == []


@pytest.mark.parametrize(
    ("number", "status"),
    [(NORMAL, "connected"), (FAILS_A, "failing_a"), (BLACKLISTED, "blacklisted")],
)
@pytest.mark.usefixtures("init_integration")
async def test_no_retry_unless_called_side_not_reached(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    number: str,
    status: str,
) -> None:
    """Only failing_b is retried: other outcomes make no second call."""
    notified = async_capture_events(hass, NOTIFIED)
    await setup_automations(
        hass,
        use_blueprint(RETRY, number=number, retry_delay=1, notify_action=NOTIFY_ACTION),
    )
    await fire_trigger(hass)
    assert simulator.count("start_call") == 1
    await until_status(hass, freezer, status, limit=30)
    assert running(hass) == 0
    await advance(hass, freezer, 120, step=1)
    assert simulator.count("start_call") == 1
    assert notified == []


@pytest.mark.usefixtures("init_integration")
async def test_retry_without_notify_action(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """The notify action is optional: a failed retry then just ends the run."""
    events: list[Event] = async_capture_events(hass, "automation_triggered")
    await setup_automations(hass, use_blueprint(RETRY, number=FAILS_B, retry_delay=1))
    await fire_trigger(hass)
    await until_status(hass, freezer, "failing_b", limit=30)
    await advance(hass, freezer, 61, step=1)
    assert simulator.count("start_call") == 2
    await until_status(hass, freezer, "failing_b", limit=30)
    assert running(hass) == 0
    assert len(events) == 1
