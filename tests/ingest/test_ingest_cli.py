"""`digest ingest`: exit codes, the summary, the PR report, and configuration errors."""

from __future__ import annotations

from ingest_support import Project, feed_entry, fixture_bytes, serve
from pytest_httpserver import HTTPServer
from werkzeug import Response

from digest.cli import cli


def test_registered_with_the_digest_command() -> None:
    assert {"ingest", "feeds"} <= set(cli.commands)


def test_summary_and_exit_zero_when_one_feed_fails(project: Project, server: HTTPServer) -> None:
    server.expect_request("/down.xml").respond_with_response(Response(status=500))
    project.write_feeds(feed_entry("wire", serve(server, "/wire.xml", fixture_bytes("founding-en.xml"))),
                        feed_entry("down", server.url_for("/down.xml")))
    result = project.cli()
    assert result.exit_code == 0, result.output
    assert "failed: HTTP 500 INTERNAL SERVER ERROR" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith(
        "ingested 2 feeds (1 ok, 1 failed): wrote 1 new draft, 0 duplicates, 0 irrelevant in ")
    server.clear()
    server.expect_request("/down.xml").respond_with_response(Response(status=500))
    serve(server, "/wire.xml", fixture_bytes("founding-en.xml"))
    assert project.cli("--strict").exit_code == 1


def test_exit_one_when_every_feed_failed(project: Project, server: HTTPServer) -> None:
    server.expect_request("/down.xml").respond_with_response(Response(status=503))
    project.write_feeds(feed_entry("down", server.url_for("/down.xml")),
                        feed_entry("empty", serve(server, "/empty.xml", b"")))
    result = project.cli()
    assert result.exit_code == 1
    assert "failed: empty document" in result.output


def test_feed_selection_and_since(project: Project, server: HTTPServer) -> None:
    project.write_feeds(feed_entry("wire", serve(server, "/wire.xml", fixture_bytes("founding-en.xml"))),
                        feed_entry("a", serve(server, "/a.xml", fixture_bytes("story-a.xml"))))
    result = project.cli("--feed", "a", "--dry-run", "--since", "2024-02-27")
    assert result.exit_code == 0, result.output
    assert "ingested 1 feed (1 ok): would write 2 new drafts" in result.output
    result = project.cli("--dry-run", "--since", "2024-02-28")
    assert "older" in result.output and "would write 0 new drafts" in result.output
    result = project.cli("--feed", "wrie")
    assert result.exit_code == 1
    assert 'no feed has the id "wrie" (did you mean "wire"?)' in result.output


def test_report_is_a_pull_request_body(project: Project, server: HTTPServer) -> None:
    server.expect_request("/moved.xml").respond_with_response(
        Response(status=301, headers={"Location": server.url_for("/jdg.xml")}))
    serve(server, "/jdg.xml", fixture_bytes("founding-fr.xml"))
    server.expect_request("/down.xml").respond_with_response(Response(status=404))
    project.write_feeds(feed_entry("journaldugeek", server.url_for("/moved.xml"), name="Journal du Geek",
                                   lang="fr"),
                        feed_entry("down", server.url_for("/down.xml"), name="Down <b>feed</b>"))
    report = project.root / "out" / "pr.md"
    result = project.cli("--report", str(report))
    assert result.exit_code == 0, result.output
    body = report.read_text(encoding="utf-8")
    assert body.startswith("## Ingested drafts: 1 draft from 1 feed\n")
    assert "### Journal du Geek (`journaldugeek`): 1 draft" in body
    assert "- **Mistral AI s’allie à Microsoft, Bruxelles s’interroge**" in body
    path = "content/articles/2024/02/mistral-ai-s-allie-a-microsoft-bruxelles-s-interroge.md"
    assert f"  - file: `{path}`" in body
    assert "  - tags: company: mistral-ai, microsoft; regulation: eu-ai-act;" in body
    assert "  - kept because: regulation: eu-ai-act;" in body
    assert "- `down`: failed: HTTP 404 NOT FOUND" in body
    assert f"- `journaldugeek`: moved permanently to `{server.url_for('/jdg.xml')}`" in body


def test_report_when_nothing_is_new(project: Project) -> None:
    report = project.root / "pr.md"
    result = project.cli("--report", str(report))
    assert result.exit_code == 0
    assert "No new drafts this run." in report.read_text(encoding="utf-8")


def test_feeds_file_errors_name_the_line(project: Project) -> None:
    (project.root / "content" / "feeds.yaml").write_text(
        "feeds:\n"
        "  - id: Bad Id\n"
        "    url: ftp://example.org/feed\n"
        "  - id: ok\n"
        "    url: https://ok.example.org/feed\n"
        "    keep: some\n"
        "    exclde: [x]\n"
        "  - id: ok\n"
        "    url: https://ok2.example.org/feed\n", encoding="utf-8")
    result = project.cli()
    assert result.exit_code == 1
    out = result.output
    assert 'content/feeds.yaml:2: error: feed id "Bad Id" must be lowercase letters' in out
    assert 'content/feeds.yaml:3: error: "url" must be an http(s) URL, got "ftp://example.org/feed"' in out
    assert 'content/feeds.yaml:6: error: "keep" can only be "all", got the text "some"' in out
    assert 'content/feeds.yaml:7: error: unknown key "exclde" in a feed (did you mean "exclude"' in out
    assert 'content/feeds.yaml:8: error: feed id "ok" is already used on line 4' in out
    assert "nothing was fetched or written" in out


def test_ingest_settings_errors_name_the_line(project: Project) -> None:
    project.set_ingest("timeout: fast\nconcurency: 4\npolicy_words: {english: [x]}\n"
                       "state_file: ../outside.json\ncompany_taxonomies: [firms]\n")
    result = project.cli()
    assert result.exit_code == 1
    out = result.output
    lines = out.split("\n")
    assert any(x.startswith("content/site.yaml:") and '"timeout" must be a number' in x for x in lines)
    assert 'unknown key "concurency" in "ingest" (did you mean "concurrency"?)' in out
    assert '"english" in "policy_words" is not a language code' in out
    assert '"state_file" must be a path inside the project' in out
    assert '"firms" in "company_taxonomies" is not a taxonomy of the site' in out


def test_missing_feeds_file_says_what_to_do(project: Project) -> None:
    (project.root / "content" / "feeds.yaml").unlink()
    result = project.cli()
    assert result.exit_code == 1
    assert "create content/feeds.yaml, or import an OPML list" in result.output
