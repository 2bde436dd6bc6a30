"""Broken inputs, one file per case: each must exit 1 with `path:line: error: message`,
and must leave an existing site untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli

CASES = Path(__file__).resolve().parent / "validation"
ARTICLE_CASES = sorted((CASES / "articles").glob("*.md"))
TAXONOMY_CASES = sorted((CASES / "taxonomy").glob("*.yaml"))


def _expected(case: Path) -> tuple[str | None, list[tuple[int, str]]]:
    target = None
    lines = []
    for raw in case.with_suffix(".expected").read_text(encoding="utf-8").splitlines():
        if raw.startswith("path: "):
            target = raw.removeprefix("path: ")
        elif raw.strip():
            number, _, message = raw.partition(": ")
            lines.append((int(number), message))
    return target, lines


def _assert_fails_with(project: Path, shown_path: str, expected: list[tuple[int, str]]) -> None:
    site = project / "site"
    site.mkdir()
    (site / "marker.html").write_text("previous build", encoding="utf-8")
    runner = CliRunner()
    for command in (["check"], ["build"]):
        result = runner.invoke(cli, [*command, "--root", str(project), "--no-annotations"])
        assert result.exit_code == 1, result.output
        for line, message in expected:
            assert f"{shown_path}:{line}: error: {message}" in result.output, result.output
    # Nothing was written: the previous site is exactly as it was, and no temp folder remains.
    assert sorted(p.name for p in site.iterdir()) == ["marker.html"]
    assert (site / "marker.html").read_text(encoding="utf-8") == "previous build"
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda p: p.stem)
def test_broken_article(project: Path, case: Path) -> None:
    target, expected = _expected(case)
    relative = target or f"2024/02/{case.name}"
    destination = project / "content" / "articles" / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(case, destination)
    _assert_fails_with(project, f"content/articles/{relative}", expected)


@pytest.mark.parametrize("case", TAXONOMY_CASES, ids=lambda p: p.stem)
def test_broken_taxonomy(project: Path, case: Path) -> None:
    _, expected = _expected(case)
    shutil.rmtree(project / "content" / "articles")
    shutil.copy(case, project / "content" / "taxonomy.yaml")
    _assert_fails_with(project, "content/taxonomy.yaml", expected)


def test_every_problem_is_reported_at_once(project: Path) -> None:
    for case in ARTICLE_CASES[:5]:
        target, _ = _expected(case)
        destination = project / "content" / "articles" / (target or f"2024/02/{case.name}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(case, destination)
    result = CliRunner().invoke(cli, ["check", "--root", str(project), "--no-annotations"])
    assert result.exit_code == 1
    reported = {line.split(":")[0] for line in result.output.splitlines()
                if ": error: " in line}
    assert len(reported) == 5, result.output


def test_problem_shows_the_source_line(project: Path) -> None:
    shutil.copy(CASES / "articles" / "unknown-key-typo.md",
                project / "content" / "articles" / "2024" / "02" / "typo.md")
    result = CliRunner().invoke(cli, ["check", "--root", str(project), "--no-annotations"])
    lines = result.output.splitlines()
    index = next(i for i, line in enumerate(lines) if "compnay" in line and "error" in line)
    assert lines[index + 1].strip() == "compnay: [mistral-ai]"


def test_annotations_for_github_actions(project: Path) -> None:
    shutil.copy(CASES / "articles" / "unknown-key-typo.md",
                project / "content" / "articles" / "2024" / "02" / "typo.md")
    result = CliRunner(env={"GITHUB_ACTIONS": "true"}).invoke(
        cli, ["check", "--root", str(project)])
    assert result.exit_code == 1
    assert "::error file=content/articles/2024/02/typo.md,line=4::unknown key" in result.output
    quiet = CliRunner(env={"GITHUB_ACTIONS": "true"}).invoke(
        cli, ["check", "--root", str(project), "--no-annotations"])
    assert "::error" not in quiet.output
