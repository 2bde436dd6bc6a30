"""The golden site: the small project in tests/golden/project, built and compared byte
for byte with tests/golden/expected. After an intended change to the output, run
`python -m pytest tests/test_golden.py --update-golden` and review the diff."""

from __future__ import annotations

import datetime as dt
import filecmp
import shutil
from pathlib import Path

import pytest
from support import GOLDEN, GOLDEN_PROJECT, GOLDEN_TODAY

from digest.build import BuildOptions, build

EXPECTED = GOLDEN / "expected"


def _build(out: Path) -> None:
    # Without the Pagefind index: its files are not byte-for-byte reproducible (hashed
    # names vary between runs) and belong to Pagefind's version, not to digest.
    # A clean build (no cache): the reference that every cached build must equal, and no
    # .digest-cache left in the test fixture.
    build(BuildOptions(root=GOLDEN_PROJECT, out=out, search=False, cache=False,
                       today=dt.date.fromisoformat(GOLDEN_TODAY)))


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_golden_site(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    out = tmp_path / "site"
    _build(out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(out, EXPECTED)
        pytest.skip("golden output rewritten; review `git diff tests/golden/expected`")
    assert _files(out) == _files(EXPECTED), "pages added or removed; see --update-golden"
    different = [name for name in _files(out)
                 if not filecmp.cmp(out / name, EXPECTED / name, shallow=False)]
    assert different == [], "output changed; rerun with --update-golden and review the diff"


def test_second_build_is_identical(tmp_path: Path) -> None:
    _build(tmp_path / "one")
    _build(tmp_path / "two")
    names = _files(tmp_path / "one")
    assert names == _files(tmp_path / "two")
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
