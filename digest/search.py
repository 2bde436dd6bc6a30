"""Full-text search: the built site indexed with Pagefind (its PyPI binary).

Called by the build on the finished output folder, before it is swapped in. What is
indexed is decided by the theme: pages mark their content with `data-pagefind-body`
(articles, and the first page of each term), and the filters (one per taxonomy, and the
year) with `data-pagefind-filter`. Pagefind writes its bundle into `pagefind/` inside
the site; `/search/` loads its UI from there, so search works offline and under a
subpath.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .errors import DigestError, Problem
from .model import SiteModel

BUNDLE = "pagefind"
_INDEXED = re.compile(r"Indexed (\d+) pages?")


def pagefind_command() -> list[str]:
    """How to run Pagefind: the binary shipped by the `pagefind[bin]` package."""
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - the CLI module still finds it on PATH
        return [sys.executable, "-m", "pagefind"]
    binary = get_executable()
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


def index_site(site_dir: Path, model: SiteModel) -> int:
    """Index the HTML pages of `site_dir` in place; returns the number of pages indexed."""
    language = model.config.language.split("-")[0].lower()
    command = [
        *pagefind_command(), "--site", str(site_dir), "--output-subdir", BUNDLE,
        "--force-language", language,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DigestError([Problem("pagefind", 1, f"search indexing failed to run: {exc}; "
                                   "install pagefind[bin] or build with --no-search")]) from exc
    output = done.stdout + done.stderr
    if done.returncode != 0:
        detail = " ".join(output.split())[-500:]
        raise DigestError([Problem("pagefind", 1, f"search indexing failed "
                                   f"(exit {done.returncode}): {detail}")])
    match = _INDEXED.search(output)
    if match:
        return int(match.group(1))
    return sum(1 for page in site_dir.rglob("*.html")
               if b"data-pagefind-body" in page.read_bytes())
