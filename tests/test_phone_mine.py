"""Tests that pushed calls are the user's own by default: calls of their phones only.

The simulator's user has a desk phone (internal number 201), a softphone (202) and a
mobile (+31612345678) as a fixed destination; a colleague's phone is 205.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp.test_utils import TestClient
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.clicktodial.const import (
    CONF_CALL_NOTIFICATIONS,
    CONF_WHOLE_COMPANY,
)
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from simulator import Fault, Simulator

from .notification_helpers import (
    COLLEAGUE_TARGET,
    DESK_TARGET,
    PHONE,
    PHONE_CALLS,
    account_entry,
    async_setup,
    fired,
    notification,
    post,
    todo_items,
    webhook_path,
)

SOFTPHONE_TARGET = {"account_number": 241, "number": "202", "user_numbers": []}
MOBILE_TARGET = {"account_number": None, "number": "0612345678", "user_numbers": []}


@pytest.fixture(autouse=True)
def in_the_netherlands(hass: HomeAssistant) -> None:
    """Put Home Assistant in the Netherlands: numbers written nationally are Dutch."""
    hass.config.country = "NL"


async def play(
    client: TestClient,
    path: str,
    steps: list[tuple[str, list[dict[str, Any]] | None]],
    *,
    call_id: str = "call-1",
    reason: str = "no-answer",
    **extra: Any,
) -> None:
    """POST a call's notifications: (status, targets) each; the end with ``reason``."""
    for status, targets in steps:
        body = notification(
            status,
            call_id,
            targets=targets,
            reason=reason if status == "ended" else "",
            **extra,
        )
        if targets is None:
            del body["destination"]["targets"]
        answer, _ = await post(client, path, body)
        assert answer == 200


@pytest.fixture
async def loaded(
    hass: HomeAssistant, client: TestClient, simulator: Simulator
) -> MockConfigEntry:
    """Set the account up following its own calls (the default)."""
    entry = account_entry(simulator)
    await async_setup(hass, entry)
    return entry


async def test_colleagues_call_not_followed(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """A call that only rings a colleague's phone fires nothing and is not missed."""
    types = fired(hass)
    await play(
        client,
        webhook_path(simulator),
        [("created", []), ("ringing", [COLLEAGUE_TARGET]), ("ended", [])],
    )

    assert types == []
    assert hass.states.get(PHONE).state == "idle"
    assert hass.states.get(PHONE_CALLS).state == STATE_UNKNOWN
    assert await todo_items(hass) == []


@pytest.mark.parametrize(
    "target", [SOFTPHONE_TARGET, MOBILE_TARGET], ids=["softphone", "mobile"]
)
async def test_call_followed_once_it_rings_a_phone_of_mine(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    target: dict[str, Any],
) -> None:
    """A call that rings a colleague first and then one of the user's phones is theirs."""
    path = webhook_path(simulator)
    types = fired(hass)
    await play(client, path, [("created", []), ("ringing", [COLLEAGUE_TARGET])])
    assert hass.states.get(PHONE).state == "idle"

    await play(client, path, [("ringing", [target])])
    assert types == ["incoming"]
    assert hass.states.get(PHONE).state == "ringing"

    await play(client, path, [("ended", [])])
    assert types == ["incoming", "missed"]
    assert len(await todo_items(hass)) == 1


async def test_call_of_unknown_phones_then_a_colleagues(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """A call followed before a notification named phones, then only a colleague's, goes.

    It is decided anew by each notification until one names the user's phones: it is
    not missed, and the phone is idle again.
    """
    path = webhook_path(simulator)
    types = fired(hass)
    await play(client, path, [("created", None)])
    assert types == ["incoming"]
    # Only created, it rings no phone yet.
    assert hass.states.get(PHONE).state == "idle"
    await play(client, path, [("ringing", None)])
    assert hass.states.get(PHONE).state == "ringing"

    await play(client, path, [("ringing", [COLLEAGUE_TARGET])])
    assert hass.states.get(PHONE).state == "idle"
    await play(client, path, [("ended", [])])

    assert types == ["incoming"]
    assert hass.states.get(PHONE).state == "idle"
    assert await todo_items(hass) == []


@pytest.mark.parametrize(
    ("user_numbers", "events"),
    [(["201"], ["outgoing", "answered", "ended"]), (["205"], [])],
    ids=["mine", "colleague"],
)
async def test_outgoing_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    user_numbers: list[str],
    events: list[str],
) -> None:
    """An outgoing call is the user's when it comes from one of their phones."""
    types = fired(hass)
    path = webhook_path(simulator)
    for status in ("ringing", "in-progress", "ended"):
        body = notification(
            status,
            "out-1",
            direction="outbound",
            targets=[],
            reason="completed" if status == "ended" else "",
        )
        body["caller"]["user_numbers"] = user_numbers
        await post(client, path, body)

    assert types == events


async def test_answered_elsewhere_not_missed(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """A call that rang the user's desk and was answered by a colleague is not missed."""
    types = fired(hass)
    await play(
        client,
        webhook_path(simulator),
        [
            ("created", []),
            ("ringing", [DESK_TARGET]),
            ("ringing", [COLLEAGUE_TARGET]),
            ("ended", []),
        ],
        reason="answered-elsewhere",
    )

    assert types == ["incoming", "ended"]
    assert await todo_items(hass) == []


async def test_call_ringing_no_phone_missed(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """A call that came in and ended without ringing any phone is a missed call."""
    types = fired(hass)
    await play(client, webhook_path(simulator), [("created", []), ("ended", [])])

    assert types == ["missed"]
    assert len(await todo_items(hass)) == 1


async def test_whole_company(
    hass: HomeAssistant, simulator: Simulator, client: TestClient
) -> None:
    """With "whole company" on, a colleague's call is followed as before."""
    entry = account_entry(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_CALL_NOTIFICATIONS: True, CONF_WHOLE_COMPANY: True}
    )
    await async_setup(hass, entry)
    types = fired(hass)

    await play(
        client,
        webhook_path(simulator),
        [("created", []), ("ringing", [COLLEAGUE_TARGET]), ("ended", [])],
    )

    assert types == ["incoming", "missed"]
    assert len(await todo_items(hass)) == 1


async def test_no_targets_follows_all_logged_once(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Notifications that name no phones at all are all followed; the log says so once."""
    types = fired(hass)
    with caplog.at_level(logging.INFO):
        for call_id in ("call-1", "call-2"):
            await play(
                client,
                webhook_path(simulator),
                [("created", None), ("ringing", None), ("ended", None)],
                call_id=call_id,
            )

    assert types == ["incoming", "missed", "incoming", "missed"]
    assert caplog.text.count("do not name the phones a call rings") == 1


async def test_phones_unknown_follows_all(
    hass: HomeAssistant,
    simulator: Simulator,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the user's phones (no destinations), every call is followed; said once."""
    simulator.inject("get_destinations", Fault.http(404))
    await async_setup(hass, account_entry(simulator))
    types = fired(hass)

    with caplog.at_level(logging.INFO):
        await play(
            client,
            webhook_path(simulator),
            [("created", []), ("ringing", [COLLEAGUE_TARGET]), ("ended", [])],
        )

    assert types == ["incoming", "missed"]
    assert caplog.text.count("the user's phones are not known") == 1


async def test_whole_company_from_the_options(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded: MockConfigEntry,
    client: TestClient,
) -> None:
    """Switching "whole company" on in the options takes effect without a reload."""
    runtime = loaded.runtime_data
    result = await hass.config_entries.options.async_init(loaded.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "auto_answer": "platform",
            CONF_CALL_NOTIFICATIONS: True,
            CONF_WHOLE_COMPANY: True,
        },
    )
    await hass.async_block_till_done()
    assert loaded.options[CONF_WHOLE_COMPANY] is True
    types = fired(hass)

    await play(
        client,
        webhook_path(simulator),
        [("created", []), ("ringing", [COLLEAGUE_TARGET]), ("ended", [])],
    )

    assert types == ["incoming", "missed"]
    assert loaded.runtime_data is runtime  # not reloaded
