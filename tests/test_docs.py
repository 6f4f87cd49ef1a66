"""Tests of the documentation: the dashboard a person pastes is the one the guide shows.

And every relative link of the README, CONTRIBUTING.md and the guide in ``docs/`` leads to
a file of the repository and, with an anchor, to a heading of that file.
"""

from __future__ import annotations

from pathlib import Path
import re

import pytest
import yaml

REPOSITORY = Path(__file__).parent.parent
PAGES = sorted(
    [
        REPOSITORY / "README.md",
        REPOSITORY / "CONTRIBUTING.md",
        *(REPOSITORY / "docs").glob("*.md"),
    ]
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


def anchors(page: Path) -> set[str]:
    """Return the anchors GitHub gives the headings of a Markdown page."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#{1,6} (.*)$", text, re.MULTILINE)
    }


def test_guide_shows_the_dashboard_file() -> None:
    """The dashboard page shows docs/dashboard.yaml, without comments to lose on save."""
    dashboard = (REPOSITORY / "docs" / "dashboard.yaml").read_text(encoding="utf-8")
    page = (REPOSITORY / "docs" / "dashboard.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(.*?)```", page, re.DOTALL)

    assert match is not None
    assert match.group(1) == dashboard
    # The raw configuration editor asks about comments and, dismissed, saves nothing.
    assert not any(line.lstrip().startswith("#") for line in dashboard.splitlines())
    assert yaml.safe_load(dashboard)["views"]


def test_guide_shows_the_colleagues_section() -> None:
    """The colleagues' page shows docs/colleagues.yaml; a tap calls a colleague."""
    colleagues = (REPOSITORY / "docs" / "colleagues.yaml").read_text(encoding="utf-8")
    page = (REPOSITORY / "docs" / "colleagues.md").read_text(encoding="utf-8")
    section = page[page.index("# Colleagues' phones") :]
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


def test_readme_is_a_landing_page() -> None:
    """The README links every page of the guide and keeps the two commands."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.parent.name == "docs":
            assert f"](docs/{page.name})" in readme, page.name
    assert "scripts/develop" in readme
    assert "scripts/test " in readme
    assert "](CONTRIBUTING.md)" in readme


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_lead_somewhere(page: Path) -> None:
    """Each relative link names an existing file, and an anchor a heading of it."""
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), (page.name, target)
        if anchor:
            assert anchor in anchors(linked), (page.name, target)
