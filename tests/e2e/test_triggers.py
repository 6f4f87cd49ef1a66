"""End to end: the integration's triggers run automations in a real Home Assistant.

The automations are saved as the automation editor saves them (its REST API), so that the
trigger platform is loaded and validated by Home Assistant itself, on whatever release runs
it (``CLICKTODIAL_E2E_HASS_PYTHON``, see CONTRIBUTING.md). A call started by the
``clicktodial.call`` action fires "Call I started changed status"; a call the simulator
pushes, unanswered, fires "Missed call". Each automation writes a persistent notification
from its trigger's variables, which the test reads back.

Runs last: it uses the account the earlier tests added (or adds it), and turns call
notifications on through the options when they are off.
"""

from __future__ import annotations

from typing import Any

from .harness import HomeAssistant, http_json
from .test_phone_notifications import (
    ALICE,
    ALICE_NUMBER,
    CALLER_NUMBER,
    STATUS,
    ensure_account,
    ring,
    state,
    wait_until,
)

CALL_TIMEOUT = 60.0


def save_automation(hass: HomeAssistant, key: str, config: dict[str, Any]) -> None:
    """Save an automation as the editor does, and wait until it is on."""
    http_json(
        f"{hass.url}/api/config/automation/config/{key}",
        {"alias": key, "description": "", "mode": "queued", **config},
        token=hass.access_token,
    )
    wait_until(
        lambda: (found := state(hass, f"automation.{key}")) and found["state"] == "on",
        f"automation {key}",
    )


def notifications(hass: HomeAssistant, automation: str) -> list[str]:
    """Return the messages of the persistent notifications an automation wrote."""
    (found,) = hass.websocket({"type": "persistent_notification/get"})
    return [
        each["message"]
        for each in found
        if each["notification_id"].startswith(f"{automation} ")
    ]


def follow_calls(hass: HomeAssistant) -> None:
    """Turn call notifications on, unless the platform already pushes to Home Assistant."""
    if http_json(f"{hass.simulator_url}/simulator/subscriptions")["count"]:
        return
    (entry,) = http_json(
        f"{hass.url}/api/config/config_entries/entry?domain=clicktodial",
        token=hass.access_token,
    )
    flow = http_json(
        f"{hass.url}/api/config/config_entries/options/flow",
        {"handler": entry["entry_id"]},
        token=hass.access_token,
    )
    result = http_json(
        f"{hass.url}/api/config/config_entries/options/flow/{flow['flow_id']}",
        {"auto_answer": "platform", "call_notifications": True},
        token=hass.access_token,
    )
    assert result["type"] == "create_entry", result
    wait_until(
        lambda: http_json(f"{hass.simulator_url}/simulator/subscriptions")["count"],
        "the subscription",
    )


def test_triggers_run_automations(home_assistant: HomeAssistant) -> None:
    """Both kinds of trigger run their automation once, with their variables."""
    hass = home_assistant
    ensure_account(hass)
    follow_calls(hass)
    save_automation(
        hass,
        "call_connected",
        {
            "triggers": [
                {
                    "trigger": "clicktodial.call_status",
                    "options": {"status": ["connected"]},
                }
            ],
            "actions": [
                {
                    "action": "persistent_notification.create",
                    "data": {
                        # One per run: a second run would be a second one.
                        "notification_id": "call_connected {{ now().isoformat() }}",
                        "message": "{{ trigger.contact }} {{ trigger.number }} "
                        "{{ trigger.previous_status }}>{{ trigger.status }}",
                    },
                }
            ],
        },
    )
    save_automation(
        hass,
        "missed",
        {
            "triggers": [{"trigger": "clicktodial.missed_call"}],
            "actions": [
                {
                    "action": "persistent_notification.create",
                    "data": {
                        "notification_id": "missed {{ now().isoformat() }}",
                        "message": "{{ trigger.caller_number }} {{ trigger.direction }}",
                    },
                }
            ],
        },
    )

    http_json(
        f"{hass.url}/api/services/clicktodial/call",
        {"contact": ALICE},
        token=hass.access_token,
    )
    wait_until(
        lambda: notifications(hass, "call_connected"),
        "the call to connect",
        CALL_TIMEOUT,
    )

    ring(hass, "missed")
    wait_until(lambda: notifications(hass, "missed"), "the missed call", CALL_TIMEOUT)
    wait_until(
        lambda: state(hass, STATUS)["state"] == "disconnected",
        "the call to end",
        CALL_TIMEOUT,
    )
    # Once each (the call's other statuses ran nothing), with the trigger's variables.
    assert notifications(hass, "call_connected") == [
        f"{ALICE} {ALICE_NUMBER} dialing_b>connected"
    ]
    assert notifications(hass, "missed") == [f"{CALLER_NUMBER} inbound"]
