"""A local simulator of the VoIPGRID click-to-dial API, for tests, benchmarks and the demo."""

from .app import (
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    SCENARIOS,
    Account,
    Fault,
    RecordedRequest,
    Simulator,
    Timeline,
    scenario_for,
)

__all__ = [
    "DEFAULT_EMAIL",
    "DEFAULT_TOKEN",
    "SCENARIOS",
    "Account",
    "Fault",
    "RecordedRequest",
    "Simulator",
    "Timeline",
    "scenario_for",
]
