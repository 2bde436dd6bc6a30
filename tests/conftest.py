"""Shared fixtures: the golden project, scratch copies of it, and the shipped content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import GOLDEN_PROJECT, REPO


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/expected from the current build; review the diff.")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of the golden project, with the repository's theme."""
    root = tmp_path / "project"
    shutil.copytree(GOLDEN_PROJECT, root)
    return root


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
