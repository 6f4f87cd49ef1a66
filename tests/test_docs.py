"""Tests of the documentation: the dashboard a person pastes is the one the README shows."""

from __future__ import annotations

from pathlib import Path
import re

import yaml

REPOSITORY = Path(__file__).parent.parent


def test_readme_shows_the_dashboard_file() -> None:
    """The README's dashboard is docs/dashboard.yaml, without comments to lose on save."""
    dashboard = (REPOSITORY / "docs" / "dashboard.yaml").read_text(encoding="utf-8")
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Dashboard") :]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)

    assert match is not None
    assert match.group(1) == dashboard
    # The raw configuration editor asks about comments and, dismissed, saves nothing.
    assert not any(line.lstrip().startswith("#") for line in dashboard.splitlines())
    assert yaml.safe_load(dashboard)["views"]


def test_readme_shows_the_colleagues_section() -> None:
    """The README's colleagues' section is docs/colleagues.yaml; a tap calls a colleague."""
    colleagues = (REPOSITORY / "docs" / "colleagues.yaml").read_text(encoding="utf-8")
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Colleagues' phones") :]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)

    assert match is not None
    assert match.group(1) == colleagues
    cards = yaml.safe_load(colleagues)["cards"]
    calls = [
        card["tap_action"]
        for card in cards
        if card.get("tap_action", {}).get("action") == "perform-action"
    ]
    assert [call["data"]["b_number"] for call in calls] == ["200", "210"]
    assert {call["perform_action"] for call in calls} == {"clicktodial.call"}
