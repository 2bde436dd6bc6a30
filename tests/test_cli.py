"""The command line through click's runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from digest.cli import cli


def test_build_prints_one_summary_line(project: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--root", str(project), "--today", "2026-11-29"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("built 4 articles, ")
    assert result.output.count("\n") == 1
    assert (project / "site" / "index.html").is_file()


def test_drafts_only_with_the_flag(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--root", str(project)]).exit_code == 0
    assert (project / "site" / "articles" / "2024" / "03" / "ai-act-vote" / "index.html").is_file()
    assert not (project / "site" / "articles" / "2024" / "03" / "draft-note").exists()
    assert runner.invoke(cli, ["build", "--root", str(project), "--drafts"]).exit_code == 0
    assert (project / "site" / "articles" / "2024" / "03" / "draft-note" / "index.html").is_file()


def test_future_articles_are_scheduled(project: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--root", str(project), "--today", "2024-02-27"])
    assert result.exit_code == 0
    assert "2 scheduled for later" in result.output
    assert not (project / "site" / "articles" / "2024" / "03" / "ai-act-vote").exists()


def test_base_url_override(project: Path) -> None:
    CliRunner().invoke(cli, ["build", "--root", str(project), "--base-url",
                             "https://org.github.io/repo"])
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://org.github.io/repo/">' in home
    assert 'href="/repo/timeline/"' in home


def test_new_writes_a_valid_skeleton(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["new", "L'Autorité examine un accord", "--root", str(project),
                                 "--date", "2024-05-02", "--company", "Mistral",
                                 "--regulation", "AI Act", "--tag", "regulator:european-commission",
                                 "--lang", "fr"])
    assert result.exit_code == 0, result.output
    path = project / "content" / "articles" / "2024" / "05" / "l-autorite-examine-un-accord.md"
    text = path.read_text(encoding="utf-8")
    assert "company:\n- mistral-ai\n" in text or "company: [mistral-ai]" in text
    check = runner.invoke(cli, ["check", "--root", str(project)])
    assert check.exit_code == 0, check.output
    again = runner.invoke(cli, ["new", "L'Autorité examine un accord", "--root", str(project),
                                "--date", "2024-05-02"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert path.read_text(encoding="utf-8") == text


def test_new_refuses_unknown_terms(project: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "Title", "--root", str(project), "--company",
                                      "Mistrall"])
    assert result.exit_code == 1
    assert 'unknown company "Mistrall" (closest: mistral-ai)' in result.output
    written = sorted((project / "content" / "articles").rglob("*.md"))
    assert [p.name for p in written if p.name == "title.md"] == []


def test_template_error_is_reported_with_file_and_line(project: Path) -> None:
    templates = project / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    (templates / "404.html").write_text("{% extends 'base.html' %}{% block content %}"
                                        "{{ missing_variable }}{% endblock %}", encoding="utf-8")
    site = project / "site"
    site.mkdir()
    (site / "keep.html").write_text("old", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--root", str(project)])
    assert result.exit_code == 1
    assert "templates/404.html:1: error:" in result.output
    assert "missing_variable" in result.output
    assert [p.name for p in site.iterdir()] == ["keep.html"]


def test_new_refuses_what_check_would_reject(project: Path) -> None:
    runner = CliRunner()
    bad_source = runner.invoke(cli, ["new", "Title", "--root", str(project), "--source",
                                     "javascript:alert(1)"])
    assert bad_source.exit_code == 1 and "--source must be an http(s) URL" in bad_source.output
    bad_lang = runner.invoke(cli, ["new", "Title", "--root", str(project), "--lang", "fr FR"])
    assert bad_lang.exit_code == 1 and "--lang must be a language code" in bad_lang.output
    assert not list((project / "content" / "articles").rglob("title.md"))


def test_base_url_must_be_absolute(project: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--root", str(project), "--base-url", "example.org/sub"])
    assert result.exit_code == 2
    assert "expected an absolute http(s) URL" in result.output


def test_check_validates_the_feed_list(project: Path) -> None:
    (project / "content" / "feeds.yaml").write_text(
        "feeds:\n  - id: bad\n    url: javascript:1\n    name: Bad\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--root", str(project), "--no-annotations"])
    assert result.exit_code == 1
    assert "content/feeds.yaml:3: error:" in result.output


def test_markdown_links_follow_the_base_path(project: Path) -> None:
    article = project / "content" / "articles" / "2024" / "03" / "ai-act-vote.md"
    article.write_text(article.read_text(encoding="utf-8") +
                       "\nSee [the Act](/regulation/eu-ai-act/) and [a link](https://e.org/x).\n",
                       encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--root", str(project), "--no-search",
                                      "--today", "2026-11-29"])
    assert result.exit_code == 0, result.output
    html = (project / "site" / "articles" / "2024" / "03" / "ai-act-vote" / "index.html").read_text(
        encoding="utf-8")
    assert 'href="/digest/regulation/eu-ai-act/"' in html
    assert 'href="https://e.org/x"' in html


def test_a_broken_site_config_is_reported_alone(project: Path) -> None:
    (project / "content" / "site.yaml").write_text('title: "unclosed\ntaxonomies: {}\n',
                                                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--root", str(project), "--no-annotations"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert errors == [errors[0]] and errors[0].startswith("content/site.yaml:1: error: invalid YAML")
