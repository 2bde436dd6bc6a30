"""`digest serve`: the open tab reloads after a save, a broken save shows its problems in
the browser, the next good save recovers, and Ctrl-C stops the server cleanly."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import GOLDEN_PROJECT, REPO

from digest.build import BuildOptions, build
from digest.serve import EVENTS_PATH, error_page, inject_reload

ARTICLE = "content/articles/2024/03/ai-act-vote.md"
ARTICLE_URL = "articles/2024/03/ai-act-vote/"


class Serve:
    """`digest serve --port 0` in a subprocess, its output read line by line."""

    def __init__(self, root: Path, out: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--root", str(root), "--port", "0",
             "--out", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.url = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.next_line(deadline - time.monotonic())
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if found:
                self.url = found.group(1)
                return
        self.stop()
        raise AssertionError("digest serve did not start:\n" + "".join(self.output))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def next_line(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=max(timeout, 0.01))
        except queue.Empty:
            return ""

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Serve, Path]]:
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root)
    server = Serve(root, tmp_path / "preview")
    try:
        yield server, root
    finally:
        server.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_reload_after_save_error_page_and_recovery(served: tuple[Serve, Path],
                                                   context_factory: Any) -> None:
    server, root = served
    page = context_factory().new_page()
    page.goto(server.url + ARTICLE_URL)
    heading = page.get_by_role("heading", level=1)
    original = heading.inner_text()
    article = root / ARTICLE

    # A save rebuilds and the open tab reloads by itself.
    edit(article, f"title: {original}\n", 'title: "Edited while the preview was open"\n')
    page.wait_for_function(
        "document.querySelector('h1').textContent === 'Edited while the preview was open'",
        timeout=20_000)

    # A broken save shows the problem (file, line, message) instead of the page.
    edit(article, 'title: "Edited while the preview was open"', 'title: "Unclosed')
    page.wait_for_function("document.title.startsWith('Build failed')", timeout=20_000)
    problem = page.locator(".problems li").first.inner_text()
    assert ARTICLE in problem and re.search(r":\d+", problem), problem
    assert "YAML" in problem
    assert page.locator("h1").inner_text().startswith("Build failed: 1 error")

    # The next good save brings the site back, in the same tab.
    edit(article, 'title: "Unclosed', 'title: "Fixed after the error"')
    page.wait_for_function("document.querySelector('h1').textContent === 'Fixed after the error'",
                           timeout=20_000)

    # Ctrl-C exits cleanly.
    assert server.stop() == 0
    assert "stopped" in "".join(server.output)
    assert "Traceback" not in "".join(server.output)


def test_serve_shows_templates_errors_and_404s(served: tuple[Serve, Path]) -> None:
    server, _ = served
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server.url + "no-such-page/")
    assert missing.value.code == 404
    with missing.value as response:
        body = response.read().decode("utf-8")
    assert EVENTS_PATH in body, "the 404 page reloads too"
    with urllib.request.urlopen(server.url + "static/style.css") as response:
        assert b"__digest" not in response.read()
    with urllib.request.urlopen(server.url + "timeline/") as response:
        assert EVENTS_PATH.encode() in response.read()


def test_build_output_never_carries_the_reload_script(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(BuildOptions(root=GOLDEN_PROJECT, out=out, search=False, cache=False))
    for page in out.rglob("*.html"):
        assert "__digest" not in page.read_text(encoding="utf-8"), page


def test_error_page_escapes_and_lists_every_problem() -> None:
    from digest.errors import Problem

    html = error_page([Problem("content/a.md", 3, "bad <value>", "error", "title: <x>"),
                       Problem("content/b.md", 9, "another", "error")], 7).decode()
    assert "Build failed: 2 errors" in html
    assert "content/a.md:3" in html and "content/b.md:9" in html
    assert "bad &lt;value&gt;" in html and "title: &lt;x&gt;" in html
    assert "seen=7" in html
    assert inject_reload(b"<body><p>x</p></body>", 3).count(b"seen=3") == 1
