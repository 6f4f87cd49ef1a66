"""Tests of the call notification part of the platform client, its model and the simulator.

The client subscribes and unsubscribes against the simulator over real HTTP; the simulator
pushes its scripted calls to a small receiver on 127.0.0.1. No Home Assistant here.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta, timezone
import json
from typing import Any

import aiohttp
from aiohttp import web
import pytest
from yarl import URL

from custom_components.clicktodial.voipgrid import (
    Direction,
    InvalidNotificationError,
    Notification,
    NotificationStatus,
    Party,
    Target,
    VoipgridAuthenticationError,
    VoipgridClient,
    VoipgridConnectionError,
    VoipgridRateLimitError,
    VoipgridResponseError,
    calling_code,
    same_number,
)
from custom_components.clicktodial.voipgrid.notification import MAX_FIELD_LENGTH
from homeassistant.core import HomeAssistant
from simulator import (
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    NOTIFICATION_SCRIPTS,
    Account,
    Fault,
    Simulator,
)
from simulator.__main__ import parse_ring_args, ring

TARGET = "https://example.invalid/api/webhook/0123456789abcdef"

EXAMPLE: dict[str, Any] = {
    "call_id": "ua9-grq-prd-1693575683.22973164",
    "timestamp": "2023-09-01T13:41:25.972110+00:00",
    "status": "ringing",
    "version": "v2",
    "direction": "inbound",
    "reason": "",
    "caller": {
        "number": "+31508009008",
        "name": "Bakker | Voys",
        "account_number": None,
        "user_numbers": [],
        "user_emails": [],
    },
    "destination": {
        "number": "+31508009000",
        "targets": [
            {
                "account_number": 234,
                "name": "Desk",
                "number": "+31508009000",
                "user_numbers": ["201"],
            }
        ],
    },
}


class Receiver:
    """A URL on 127.0.0.1 that keeps what is POSTed to it and answers with ``status``."""

    def __init__(self) -> None:
        """Start empty."""
        self.bodies: list[Any] = []
        self.status = 200
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        return web.json_response({}, status=self.status)

    async def start(self) -> str:
        """Serve on a free port; return the URL to subscribe."""
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        assert self._runner is not None
        await self._runner.cleanup()


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncGenerator[Receiver]:
    """Return a running receiver of notifications."""
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


# -- the client: subscribe and unsubscribe -----------------------------------------------


async def test_subscribe(api_client: VoipgridClient, simulator: Simulator) -> None:
    """Test a subscription is created with the documented body and its id returned."""
    subscription = await api_client.subscribe_call_notifications(TARGET)

    assert subscription == "1"
    request = simulator.requests[-1]
    assert (request.method, request.path) == (
        "POST",
        "/api/callnotification/callnotification/",
    )
    assert request.body == {"target_url": TARGET, "event": "custom"}
    assert request.email == DEFAULT_EMAIL
    assert simulator.subscriptions["1"].target_url == TARGET


async def test_unsubscribe(api_client: VoipgridClient, simulator: Simulator) -> None:
    """Test a subscription is deleted with a DELETE of its URL."""
    subscription = await api_client.subscribe_call_notifications(TARGET)

    await api_client.unsubscribe_call_notifications(subscription)

    assert simulator.subscriptions == {}
    request = simulator.requests[-1]
    assert (request.method, request.path) == (
        "DELETE",
        "/api/callnotification/callnotification/1/",
    )


async def test_unsubscribe_gone_already(
    api_client: VoipgridClient, simulator: Simulator
) -> None:
    """Test deleting a subscription the platform no longer knows succeeds (404)."""
    await api_client.unsubscribe_call_notifications("42")

    assert simulator.count("unsubscribe") == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Fault.http(401), VoipgridAuthenticationError),
        (Fault.http(403), VoipgridAuthenticationError),
        (Fault.rate_limited("12"), VoipgridRateLimitError),
        (Fault.http(500), VoipgridResponseError),
        (Fault.http(503), VoipgridResponseError),
        (Fault.malformed(201), VoipgridResponseError),
        (Fault.http(201, {"target_url": TARGET}), VoipgridResponseError),
        (Fault.http(201, {"id": True}), VoipgridResponseError),
        (Fault.http(201, {"id": "../../clicktodial"}), VoipgridResponseError),
        (Fault.http(201, ["id"]), VoipgridResponseError),
        (Fault.connection_reset(), VoipgridConnectionError),
    ],
)
async def test_subscribe_errors(
    api_client: VoipgridClient,
    simulator: Simulator,
    answer: Fault,
    error: type[Exception],
) -> None:
    """Test every failure of a subscription is one of the client's errors."""
    simulator.inject("subscribe", answer)

    with pytest.raises(error):
        await api_client.subscribe_call_notifications(TARGET)


async def test_subscribe_forbidden(
    api_client: VoipgridClient, simulator: Simulator, account: Account
) -> None:
    """Test a user without the right to call notifications gets a 403."""
    account.may_use_call_notifications = False

    with pytest.raises(VoipgridAuthenticationError) as err:
        await api_client.subscribe_call_notifications(TARGET)

    assert err.value.status == 403
    assert simulator.subscriptions == {}


@pytest.mark.parametrize(
    ("data", "expected"), [({"id": 7}, "7"), ({"id": "ab-12_C"}, "ab-12_C")]
)
async def test_subscription_ids(
    api_client: VoipgridClient,
    simulator: Simulator,
    data: dict[str, Any],
    expected: str,
) -> None:
    """Test a subscription id may come as a number or a string."""
    simulator.inject("subscribe", Fault.http(201, data))

    assert await api_client.subscribe_call_notifications(TARGET) == expected


async def test_unsubscribe_errors(
    api_client: VoipgridClient, simulator: Simulator
) -> None:
    """Test failures other than 404 of a deletion are raised."""
    simulator.inject("unsubscribe", Fault.http(500))
    with pytest.raises(VoipgridResponseError):
        await api_client.unsubscribe_call_notifications("1")
    simulator.inject("unsubscribe", Fault.http(401))
    with pytest.raises(VoipgridAuthenticationError):
        await api_client.unsubscribe_call_notifications("1")


async def test_unsubscribe_other_account(
    api_client: VoipgridClient, simulator: Simulator
) -> None:
    """Test an account cannot delete another account's subscription (404 there)."""
    simulator.add_account("other@example.com", "other-token")
    async with aiohttp.ClientSession() as session:
        other = VoipgridClient(
            session,
            base_url=simulator.url,
            email="other@example.com",
            api_token="other-token",
        )
        subscription = await other.subscribe_call_notifications(TARGET)

    await api_client.unsubscribe_call_notifications(subscription)

    assert subscription in simulator.subscriptions


# -- the notification model --------------------------------------------------------------


def test_notification_from_example() -> None:
    """Test the documented example is read field by field."""
    notification = Notification.from_json(EXAMPLE)

    assert notification == Notification(
        call_id="ua9-grq-prd-1693575683.22973164",
        status=NotificationStatus.RINGING,
        raw_status="ringing",
        timestamp=datetime(2023, 9, 1, 13, 41, 25, 972110, tzinfo=UTC),
        direction=Direction.INBOUND,
        reason="",
        caller=Party(number="+31508009008", name="Bakker | Voys"),
        destination=Party(number="+31508009000", name=None),
        targets=(Target(number="+31508009000", user_numbers=("201",)),),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("created", NotificationStatus.CREATED),
        ("ringing", NotificationStatus.RINGING),
        ("in-progress", NotificationStatus.ANSWERED),
        ("answered", NotificationStatus.ANSWERED),
        (" Answered ", NotificationStatus.ANSWERED),
        ("warm-transfer", NotificationStatus.TRANSFER),
        ("cold-transfer", NotificationStatus.TRANSFER),
        ("ended", NotificationStatus.ENDED),
        ("ENDED", NotificationStatus.ENDED),
        ("hold", None),
        ("", None),
    ],
)
def test_notification_statuses(raw: str, expected: NotificationStatus | None) -> None:
    """Test every status string seen or expected is known; others are None."""
    notification = Notification.from_json({"call_id": "c", "status": raw})

    assert notification.status is expected
    assert notification.raw_status == raw


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2023-09-01T13:41:25+02:00", datetime(2023, 9, 1, 11, 41, 25, tzinfo=UTC)),
        (
            "2023-09-01T13:41:25.5+02:00",
            datetime(
                2023, 9, 1, 13, 41, 25, 500000, tzinfo=timezone(timedelta(hours=2))
            ),
        ),
        ("2023-09-01T13:41:25Z", datetime(2023, 9, 1, 13, 41, 25, tzinfo=UTC)),
        ("2023-09-01T13:41:25", datetime(2023, 9, 1, 13, 41, 25, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_notification_timestamps(
    timestamp: str | None, expected: datetime | None
) -> None:
    """Test timestamps with or without microseconds and offset; unreadable ones are None."""
    notification = Notification.from_json(
        {"call_id": "c", "status": "ended", "timestamp": timestamp}
    )

    assert notification.timestamp == expected


def test_notification_minimal() -> None:
    """Test only call_id and status are required; the rest may be missing or null."""
    for data in (
        {"call_id": "c", "status": "created"},
        {
            "call_id": "c",
            "status": "created",
            "direction": None,
            "reason": None,
            "caller": None,
            "destination": None,
            "timestamp": None,
        },
        {
            "call_id": "c",
            "status": "created",
            "caller": {"number": None, "name": None},
            "destination": {},
        },
    ):
        notification = Notification.from_json(data)
        assert notification.direction is None
        assert notification.reason == ""
        assert notification.caller == Party()
        assert notification.destination == Party()


def test_notification_normalised() -> None:
    """Test direction and reason are compared without case; empty names are None."""
    notification = Notification.from_json(
        {
            "call_id": "c",
            "status": "ended",
            "direction": "OutBound",
            "reason": " No-Answer ",
            "caller": {"number": "", "name": "  "},
        }
    )

    assert notification.direction is Direction.OUTBOUND
    assert notification.reason == "no-answer"
    assert notification.caller == Party()


def test_notification_other_direction() -> None:
    """Test a direction this client does not know is None (internal calls: not known)."""
    notification = Notification.from_json(
        {"call_id": "c", "status": "ringing", "direction": "internal"}
    )

    assert notification.direction is None


def test_notification_ignores_unread_fields() -> None:
    """Test fields this client does not read are not checked."""
    notification = Notification.from_json(
        {
            **EXAMPLE,
            "version": 2,
            "extra": [1, 2],
            "caller": {**EXAMPLE["caller"], "account_number": "x", "user_numbers": 5},
            "destination": {"number": "+31508009000", "targets": "all of them"},
        }
    )

    assert notification.caller.number == "+31508009008"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "ringing",
        42,
        {},
        {"status": "ringing"},
        {"call_id": "c"},
        {"call_id": None, "status": "ringing"},
        {"call_id": 12, "status": "ringing"},
        {"call_id": "", "status": "ringing"},
        {"call_id": "  ", "status": "ringing"},
        {"call_id": "c", "status": 1},
        {"call_id": "c", "status": ["ringing"]},
        {"call_id": "c", "status": "ringing", "direction": 1},
        {"call_id": "c", "status": "ringing", "reason": False},
        {"call_id": "c", "status": "ringing", "timestamp": 1693575683},
        {"call_id": "c", "status": "ringing", "caller": "+31508009008"},
        {"call_id": "c", "status": "ringing", "caller": {"number": 31508009008}},
        {"call_id": "c", "status": "ringing", "caller": {"name": ["Bakker"]}},
        {"call_id": "c", "status": "ringing", "destination": []},
        {"call_id": "c", "status": "ringing", "destination": {"number": 1}},
        {"call_id": "c" * (MAX_FIELD_LENGTH + 1), "status": "ringing"},
        {"call_id": "c", "status": "ringing", "caller": {"name": "x" * 300}},
    ],
)
def test_notification_invalid(data: object) -> None:
    """Test a body of another shape is refused with the dedicated error."""
    with pytest.raises(InvalidNotificationError):
        Notification.from_json(data)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"\xff\xfe\x00", b"{", b"[" * 100_000 + b"]" * 100_000],
)
def test_notification_from_bad_bytes(body: bytes) -> None:
    """Test a body that is not JSON (or nested too deep to read) is refused."""
    with pytest.raises(InvalidNotificationError):
        Notification.from_bytes(body)


def test_notification_from_bytes() -> None:
    """Test a body is decoded as JSON."""
    assert (
        Notification.from_bytes(json.dumps(EXAMPLE).encode()).call_id
        == (EXAMPLE["call_id"])
    )


def test_invalid_notification_is_a_value_error() -> None:
    """Test the error is a ValueError, apart from the platform's errors."""
    assert issubclass(InvalidNotificationError, ValueError)


# -- comparing numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "code", "same"),
    [
        ("0612345678", "+31612345678", "31", True),
        ("06-12 34 56 78", "0031612345678", "31", True),
        ("+31612345678", "+31 6 12345678", None, True),
        ("0612345678", "+31612345678", None, False),
        ("0612345678", "+32612345678", "31", False),
        ("0470123456", "+32470123456", "32", True),
        ("0612345678", "+39612345678", "39", False),
        ("0612345678", "+390612345678", "39", True),
        ("201", "201", "31", True),
        ("201", "+31201", "31", False),
        ("0612345678", "0612345678", None, True),
        ("not a number", "not a number", "31", False),
        (None, None, "31", False),
        ("", "", None, False),
    ],
)
def test_same_number(a: object, b: object, code: str | None, same: bool) -> None:
    """Test two spellings of one number are the same, in the country's calling code."""
    assert same_number(a, b, code) is same
    assert same_number(b, a, code) is same


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("NL", "31"),
        ("nl", "31"),
        ("BE", "32"),
        ("DE", "49"),
        ("XX", None),
        (None, None),
    ],
)
def test_calling_code(country: str | None, code: str | None) -> None:
    """Test the calling code of Home Assistant's country."""
    assert calling_code(country) == code


# -- the simulator: scripted calls pushed to subscribed URLs -----------------------------


async def test_ring_pushes_to_subscribed_urls(
    api_client: VoipgridClient, simulator: Simulator, receiver: Receiver
) -> None:
    """Test a scripted call's notifications are POSTed to the subscribed URL in order."""
    await api_client.subscribe_call_notifications(receiver.url)

    call_id = await simulator.ring("missed", speed=0)

    statuses = [(body["status"], body["reason"]) for body in receiver.bodies]
    assert statuses == [
        ("created", ""),
        ("ringing", ""),
        ("ringing", ""),
        ("ended", "no-answer"),
    ]
    for body in receiver.bodies:
        notification = Notification.from_json(body)
        assert notification.call_id == call_id
        assert notification.direction is Direction.INBOUND
    assert [d.status for d in simulator.deliveries] == [200] * 4
    assert receiver.bodies[0]["caller"]["name"] is None  # not known yet at "created"
    assert receiver.bodies[1]["caller"]["name"] == "Bakker | Voys"
    targets = [body["destination"]["targets"] for body in receiver.bodies[1:3]]
    assert [target[0]["name"] for target in targets] == ["Desk", "Mobile"]


async def test_ring_waits_between_notifications(
    api_client: VoipgridClient, simulator: Simulator, receiver: Receiver
) -> None:
    """Test a script is played in its time, scaled by the speed."""
    await api_client.subscribe_call_notifications(receiver.url)
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    await simulator.ring("answered", speed=2, sleep=sleep)

    assert pauses == [0.25, 0.75, 2, 12]
    assert len(receiver.bodies) == 5


@pytest.mark.parametrize("script", sorted(NOTIFICATION_SCRIPTS))
async def test_scripts_are_notifications(simulator: Simulator, script: str) -> None:
    """Test every script's notifications are valid, of one call, in time order."""
    steps = simulator.notifications(script, caller_number="0612345678")

    times = [at for at, _ in steps]
    assert times == sorted(times)
    notifications = [Notification.from_json(body) for _, body in steps]
    assert len({n.call_id for n in notifications}) == 1
    assert all(n.status is not None for n in notifications)
    assert notifications[-1].status is NotificationStatus.ENDED or (
        script == "out_of_order"
    )
    direction = NOTIFICATION_SCRIPTS[script].direction
    assert {n.direction for n in notifications} == {Direction(direction)}
    other = "caller" if direction == "inbound" else "destination"
    assert {getattr(n, other).number for n in notifications} == {"0612345678"}


async def test_ring_only_the_accounts_subscriptions(
    api_client: VoipgridClient, simulator: Simulator, receiver: Receiver
) -> None:
    """Test a call of one account reaches only that account's subscribed URLs."""
    await api_client.subscribe_call_notifications(receiver.url)

    await simulator.ring("outgoing", email="other@example.com", speed=0)
    assert receiver.bodies == []

    await simulator.ring("outgoing", email=DEFAULT_EMAIL, speed=0)
    assert len(receiver.bodies) == 3


async def test_ring_delivery_failures(
    api_client: VoipgridClient, simulator: Simulator, receiver: Receiver
) -> None:
    """Test the status of each delivery is recorded, None where nobody answered."""
    await api_client.subscribe_call_notifications(receiver.url)
    await api_client.subscribe_call_notifications("http://127.0.0.1:9/nothing-here")
    receiver.status = 400

    await simulator.ring("cancelled", speed=0)

    assert [d.status for d in simulator.deliveries] == [400, None] * 3


async def test_ring_over_http(
    api_client: VoipgridClient, simulator: Simulator, receiver: Receiver
) -> None:
    """Test POST /simulator/ring plays a script in the background."""
    await api_client.subscribe_call_notifications(receiver.url)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{simulator.url}/simulator/ring",
            json={"script": "outgoing", "speed": 0, "caller_number": "+31201234567"},
        ) as response:
            assert response.status == 202
            answer = await response.json()
        await simulator.wait_played()
        for bad in ({"script": "nope"}, {"speed": -1}, {"speed": True}, [1]):
            async with session.post(
                f"{simulator.url}/simulator/ring", json=bad
            ) as response:
                assert response.status == 400
        async with session.post(
            f"{simulator.url}/simulator/ring", data=b"{"
        ) as response:
            assert response.status == 400

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{simulator.url}/simulator/subscriptions") as response,
    ):
        assert await response.json() == {"count": 1}
    assert answer["script"] == "outgoing"
    assert answer["subscriptions"] == 1
    assert [body["call_id"] for body in receiver.bodies] == [answer["call_id"]] * 3
    assert receiver.bodies[0]["destination"]["number"] == "+31201234567"


async def test_ring_command(
    hass: HomeAssistant,
    api_client: VoipgridClient,
    simulator: Simulator,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Test ``python -m simulator ring`` asks a running simulator to ring."""
    await api_client.subscribe_call_notifications(receiver.url)
    args = parse_ring_args(
        ["missed", "--url", simulator.url, "--speed", "0", "--name", "Jan"]
    )

    assert await hass.async_add_executor_job(ring, args) == 0
    await simulator.wait_played()

    assert "Playing missed as call sim-" in capsys.readouterr().out
    assert receiver.bodies[-1]["status"] == "ended"
    assert receiver.bodies[1]["caller"]["name"] == "Jan"

    unreachable = parse_ring_args(["--url", "http://127.0.0.1:9"])
    assert await hass.async_add_executor_job(ring, unreachable) == 1
    assert "Cannot reach the simulator" in capsys.readouterr().err


async def test_ring_command_reads_simulator_port(
    hass: HomeAssistant,
    api_client: VoipgridClient,
    simulator: Simulator,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Test ``ring`` without --url finds the simulator at $SIMULATOR_PORT, as CONTRIBUTING.md says."""
    await api_client.subscribe_call_notifications(receiver.url)
    monkeypatch.setenv("SIMULATOR_PORT", str(URL(simulator.url).port))

    args = parse_ring_args(["outgoing", "--speed", "0"])
    assert args.url == simulator.url
    assert await hass.async_add_executor_job(ring, args) == 0
    await simulator.wait_played()

    assert "Playing outgoing" in capsys.readouterr().out
    assert [body["status"] for body in receiver.bodies] == [
        "ringing",
        "in-progress",
        "ended",
    ]
    monkeypatch.delenv("SIMULATOR_PORT")
    assert parse_ring_args([]).url == "http://127.0.0.1:8765"


async def test_subscribe_validation(simulator: Simulator, socket_enabled: None) -> None:
    """Test the simulator refuses a subscription without a URL or the custom event."""
    headers = {"Authorization": f"Token {DEFAULT_EMAIL}:{DEFAULT_TOKEN}"}
    url = f"{simulator.url}/api/callnotification/callnotification/"
    async with aiohttp.ClientSession(headers=headers) as session:
        for body in (
            {"event": "custom"},
            {"target_url": "ftp://x", "event": "custom"},
            {"target_url": TARGET, "event": "all"},
        ):
            async with session.post(url, json=body) as response:
                assert response.status == 400
        async with session.delete(f"{url}1") as response:
            assert response.status == 404
    assert simulator.subscriptions == {}


def test_targets_read_leniently() -> None:
    """Targets and users' numbers of another shape are left out, never refused."""
    notification = Notification.from_json(
        {
            **EXAMPLE,
            "caller": {"number": "+31508009008", "user_numbers": "201"},
            "destination": {
                "number": "+31508009000",
                "targets": [
                    "not an object",
                    {"number": 201, "user_numbers": [202, True, None, "\ud800", ""]},
                    {"number": ["x"], "user_numbers": None},
                ],
            },
        }
    )

    assert notification.caller.user_numbers == ()
    assert notification.targets == (
        Target(number="201", user_numbers=("202", "\ufffd")),
        Target(),
    )
    assert Notification.from_json({**EXAMPLE, "destination": None}).targets is None
