"""Fixtures for the ingestion tests: a project in tmp_path and a feed server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_support import SITE_YAML, TAXONOMY_YAML, Project
from pytest_httpserver import HTTPServer


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (root / "content" / "taxonomy.yaml").write_text(TAXONOMY_YAML, encoding="utf-8")
    made = Project(root)
    made.write_feeds()
    return made


@pytest.fixture(scope="session")
def _running_server() -> Iterator[HTTPServer]:
    # One server for the session: stopping one takes half a second.
    httpd = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    httpd.start()
    yield httpd
    httpd.stop()


@pytest.fixture
def server(_running_server: HTTPServer) -> Iterator[HTTPServer]:
    """A threaded HTTP server on 127.0.0.1 (threaded, so a slow handler blocks no one)."""
    yield _running_server
    _running_server.clear()
