"""A local simulator of the VoIPGRID click-to-dial API, for tests, benchmarks and the demo."""

from .accounts import DEFAULT_EMAIL, DEFAULT_TOKEN, Account
from .app import Simulator
from .calls import PUSH_LAG, SimulatedCall
from .core import ENDPOINTS, Fault, RecordedRequest, wall_clock_at
from .history import HistoryRecord, SimulatedHistory
from .notifications import NOTIFICATION_SCRIPTS
from .phones import PhoneRegistrations
from .pushes import Delivery
from .scenarios import SCENARIO_SUFFIXES, SCENARIOS, Timeline, scenario_for
from .subscriptions import Subscription

__all__ = [
    "DEFAULT_EMAIL",
    "DEFAULT_TOKEN",
    "ENDPOINTS",
    "NOTIFICATION_SCRIPTS",
    "PUSH_LAG",
    "SCENARIOS",
    "SCENARIO_SUFFIXES",
    "Account",
    "Delivery",
    "Fault",
    "HistoryRecord",
    "PhoneRegistrations",
    "RecordedRequest",
    "SimulatedCall",
    "SimulatedHistory",
    "Simulator",
    "Subscription",
    "Timeline",
    "scenario_for",
    "wall_clock_at",
]
