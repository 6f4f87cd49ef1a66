"""A local simulator of the VoIPGRID click-to-dial API, for tests, benchmarks and the demo."""

from .app import (
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    SCENARIOS,
    Account,
    Delivery,
    Fault,
    RecordedRequest,
    Simulator,
    Subscription,
    Timeline,
    scenario_for,
)
from .history import HistoryRecord, SimulatedHistory
from .notifications import NOTIFICATION_SCRIPTS
from .phones import PhoneRegistrations

__all__ = [
    "DEFAULT_EMAIL",
    "DEFAULT_TOKEN",
    "NOTIFICATION_SCRIPTS",
    "SCENARIOS",
    "Account",
    "Delivery",
    "Fault",
    "HistoryRecord",
    "PhoneRegistrations",
    "RecordedRequest",
    "SimulatedHistory",
    "Simulator",
    "Subscription",
    "Timeline",
    "scenario_for",
]
