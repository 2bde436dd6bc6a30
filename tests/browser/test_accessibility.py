"""axe-core (from npm, injected into the page) on every page type, light and dark:
no serious or critical violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import Site
from test_reading import page_path

PAGES = ["front", "article", "term", "deal", "taxonomy", "timeline", "search", "404"]


def audit(page: Any, axe: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary) }));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGES)
def test_axe_finds_no_serious_violation(site: Site, context_factory: Any, axe_script: Path,
                                        kind: str, scheme: str) -> None:
    page = context_factory(color_scheme=scheme).new_page()
    path = page_path(site, kind)
    if kind == "search":
        path += "?q=Mistral"  # audit the results and the filters, not an empty box
    page.goto(site.url(path))
    if kind == "search":
        page.locator(".pagefind-ui__result-link").first.wait_for()
        page.wait_for_timeout(300)
    if kind == "timeline":
        page.goto(site.url(path + "?company=mistral-ai"))  # chips and status shown
    violations = audit(page, axe_script)
    assert violations == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations)


def test_axe_on_the_toggled_dark_theme(site: Site, context_factory: Any, axe_script: Path) -> None:
    page = context_factory(color_scheme="light").new_page()
    page.goto(site.url())
    page.get_by_role("button", name="Dark theme").click()
    page.goto(site.url("timeline/"))
    assert audit(page, axe_script) == []
