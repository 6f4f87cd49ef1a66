"""Tests of the integration's triggers and conditions, run by automations."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.clicktodial.const import (
    CONF_CALL_NOTIFICATIONS,
    CONF_NUMBER,
    CONF_WHOLE_COMPANY,
    DOMAIN,
    SUBENTRY_TYPE_CONTACT,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers.condition import (
    async_get_all_descriptions as condition_descriptions,
)
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.trigger import (
    async_get_all_descriptions as trigger_descriptions,
)
from homeassistant.setup import async_setup_component
from simulator import Simulator

from .helpers import advance
from .notification_helpers import (
    CALLER,
    COLLEAGUE_TARGET,
    account_entry,
    async_setup,
    notification,
    post,
    webhook_path,
)

RAN = "test_trigger_ran"
VARIABLES = (
    "account", "event_type", "call_id", "direction", "caller", "caller_number",
    "caller_name", "destination_number", "number", "contact", "reason", "mine",
    "status", "previous_status", "ended",
)  # fmt: skip
TRIGGERS = (
    "incoming_call",
    "missed_call",
    "call_answered",
    "call_ended",
    "call_status",
)
CONDITIONS = ("on_the_phone", "phone_ringing")


def automation(
    alias: str,
    trigger: dict[str, Any],
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return an automation that fires RAN with its name and its trigger's variables."""
    return {
        "alias": alias,
        "triggers": [trigger],
        "conditions": conditions or [],
        "actions": [
            {
                "event": RAN,
                # A mapping keeps each variable's type ("+31..." stays text).
                "event_data": {"automation": alias, "trigger": "{{ dict(trigger) }}"},
            }
        ],
    }


async def setup_automations(hass: HomeAssistant, *configs: dict[str, Any]) -> None:
    """Set up automations, each of which must be on (its trigger valid)."""
    assert await async_setup_component(
        hass, "automation", {"automation": list(configs)}
    )
    await hass.async_block_till_done()
    for config in configs:
        alias = config["alias"]
        assert hass.states.get(f"automation.{alias}").state == "on", alias


def ran(events: list[Event], alias: str) -> list[dict[str, Any]]:
    """Return the variables of each run of one automation."""
    return [
        {key: value for key, value in event.data["trigger"].items() if key in VARIABLES}
        for event in events
        if event.data["automation"] == alias
    ]


def add_contact(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, number: str
) -> None:
    """Add a contact to an account."""
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType({CONF_NAME: name, CONF_NUMBER: number}),
            subentry_type=SUBENTRY_TYPE_CONTACT,
            title=name,
            unique_id=number,
        ),
    )


async def test_pushed_call_triggers(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """Each pushed trigger fires once per call event, with the call's variables."""
    await setup_automations(
        hass,
        *(
            automation(name, {"trigger": f"{DOMAIN}.{name}"})
            for name in ("incoming_call", "missed_call", "call_answered", "call_ended")
        ),
    )
    runs = async_capture_events(hass, RAN)

    missed = await simulator.ring("missed", speed=0)
    answered = await simulator.ring("answered", speed=0)
    await hass.async_block_till_done()

    assert [run["call_id"] for run in ran(runs, "incoming_call")] == [missed, answered]
    assert [run["call_id"] for run in ran(runs, "call_answered")] == [answered]
    (run,) = ran(runs, "missed_call")
    assert run == {
        "account": loaded.entry_id,
        "event_type": "missed",
        "call_id": missed,
        "direction": "inbound",
        "caller": "Bakker | Voys",
        "caller_number": CALLER,
        "caller_name": "Bakker | Voys",
        "destination_number": run["destination_number"],
        "number": CALLER,
        "contact": None,
        "reason": "no-answer",
        "mine": True,
    }
    assert [(r["call_id"], r["event_type"]) for r in ran(runs, "call_ended")] == [
        (missed, "missed"),
        (answered, "ended"),
    ]
    assert ran(runs, "call_ended")[1]["reason"] == "completed"
    assert ran(runs, "incoming_call")[0]["reason"] is None


async def test_pushed_trigger_filters(
    hass: HomeAssistant, simulator: Simulator, loaded: MockConfigEntry
) -> None:
    """The account, contact and number options pick the calls a trigger fires for."""
    add_contact(hass, loaded, "Bakker", CALLER)
    missed = f"{DOMAIN}.missed_call"
    await setup_automations(
        hass,
        automation("contact", {"trigger": missed, "options": {"contact": "bakker"}}),
        automation(
            "number", {"trigger": missed, "options": {"number": "+31 20 123 4567"}}
        ),
        automation("account", {"trigger": missed, "options": {"account": "other"}}),
        automation(
            "this_account",
            {"trigger": missed, "options": {"account": loaded.entry_id}},
        ),
    )
    runs = async_capture_events(hass, RAN)

    bakker = await simulator.ring("missed", speed=0)
    other = await simulator.ring("cancelled", speed=0, caller_number="+31201234567")
    await hass.async_block_till_done()

    assert [(r["call_id"], r["contact"]) for r in ran(runs, "contact")] == [
        (bakker, "Bakker")
    ]
    # Written either way: spaces do not matter.
    assert [r["call_id"] for r in ran(runs, "number")] == [other]
    assert ran(runs, "account") == []
    assert [r["call_id"] for r in ran(runs, "this_account")] == [bakker, other]


async def test_only_my_phones(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """With the whole company followed, "only my phones" leaves colleagues' calls out."""
    entry = account_entry(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_CALL_NOTIFICATIONS: True, CONF_WHOLE_COMPANY: True}
    )
    await async_setup(hass, entry)
    incoming = f"{DOMAIN}.incoming_call"
    await setup_automations(
        hass,
        automation("mine", {"trigger": incoming, "options": {"only_mine": True}}),
        automation("all", {"trigger": incoming}),
    )
    runs = async_capture_events(hass, RAN)
    path = webhook_path(simulator)

    for status in ("created", "ringing"):
        body = notification(status, "colleague", targets=[COLLEAGUE_TARGET])
        assert (await post(client, path, body))[0] == 200
    for status in ("created", "ringing"):
        assert (await post(client, path, notification(status, "mine")))[0] == 200
    await hass.async_block_till_done()

    colleague, mine = ran(runs, "all")
    assert (colleague["call_id"], colleague["mine"]) == ("colleague", False)
    assert mine["mine"] is True
    assert [r["mine"] for r in ran(runs, "mine")] == [True]


async def test_call_status_trigger(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Test "Call I started changed status" fires per change; the status option picks some."""
    add_contact(hass, init_integration, "Shop", "+31508009903")
    status = f"{DOMAIN}.call_status"
    await setup_automations(
        hass,
        automation("every", {"trigger": status}),
        automation(
            "connected",
            {
                "trigger": status,
                "options": {"status": ["connected"], "contact": "Shop"},
            },
        ),
        automation("elsewhere", {"trigger": status, "options": {"number": "112"}}),
    )
    runs = async_capture_events(hass, RAN)

    response = await hass.services.async_call(
        DOMAIN, "call", {"contact": "Shop"}, blocking=True, return_response=True
    )
    assert response is not None
    call_id = response["call_id"]
    await advance(hass, freezer, 50, step=0.5)

    assert [(r["previous_status"], r["status"]) for r in ran(runs, "every")] == [
        (None, "setting_up"),
        ("setting_up", "dialing_a"),
        ("dialing_a", "confirm"),
        ("confirm", "dialing_b"),
        ("dialing_b", "connected"),
        ("connected", "disconnected"),
    ]
    (run,) = ran(runs, "connected")
    assert run["call_id"] == call_id
    assert run["number"] == "+31508009903"
    assert run["contact"] == "Shop"
    assert run["direction"] == "outbound"
    assert run["account"] == init_integration.entry_id
    assert run["ended"] is False
    assert ran(runs, "every")[-1]["ended"] is True
    assert ran(runs, "elsewhere") == []


async def test_phone_conditions(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Test "Phone ringing" and "On the phone" hold while the account's phone does that."""
    test = {"trigger": "event", "event_type": "test_check"}
    await setup_automations(
        hass,
        *(
            automation(name, test, [{"condition": f"{DOMAIN}.{name}"}])
            for name in CONDITIONS
        ),
        automation(
            "other_account",
            test,
            [{"condition": f"{DOMAIN}.phone_ringing", "options": {"account": "x"}}],
        ),
    )
    runs = async_capture_events(hass, RAN)
    path = webhook_path(simulator)

    async def check() -> list[str]:
        runs.clear()
        hass.bus.async_fire("test_check")
        await hass.async_block_till_done()
        return [run.data["automation"] for run in runs]

    assert await check() == []
    await post(client, path, notification("ringing"))
    assert await check() == ["phone_ringing"]
    await post(client, path, notification("in-progress"))
    assert await check() == ["on_the_phone"]
    await post(client, path, notification("ended", reason="completed"))
    assert await check() == []


async def test_invalid_options_refused(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    """A trigger with an unknown status or option is not set up."""
    await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                automation(
                    "bad_status",
                    {"trigger": f"{DOMAIN}.call_status", "options": {"status": "x"}},
                ),
                automation(
                    "bad_option",
                    {"trigger": f"{DOMAIN}.incoming_call", "options": {"x": 1}},
                ),
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("automation.bad_status").state == "unavailable"
    assert hass.states.get("automation.bad_option").state == "unavailable"


@pytest.mark.usefixtures("loaded")
async def test_descriptions_and_translations(hass: HomeAssistant) -> None:
    """The automation editor gets every trigger and condition, with fields, in en and nl."""
    triggers = await trigger_descriptions(hass)
    conditions = await condition_descriptions(hass)
    for name in TRIGGERS:
        fields = triggers[f"{DOMAIN}.{name}"]["fields"]  # type: ignore[index]
        assert {"account", "contact", "number"} <= set(fields)
    assert "status" in triggers[f"{DOMAIN}.call_status"]["fields"]  # type: ignore[index]
    for name in CONDITIONS:
        assert "account" in conditions[f"{DOMAIN}.{name}"]["fields"]  # type: ignore[index]

    for language in ("en", "nl"):
        for category, names in (("triggers", TRIGGERS), ("conditions", CONDITIONS)):
            texts = await async_get_translations(hass, language, category, [DOMAIN])
            for name in names:
                prefix = f"component.{DOMAIN}.{category}.{name}"
                assert texts[f"{prefix}.name"]
                assert texts[f"{prefix}.description"]
                assert texts[f"{prefix}.fields.account.name"]
        selector = await async_get_translations(hass, language, "selector", [DOMAIN])
        assert selector[f"component.{DOMAIN}.selector.call_status.options.connected"]
