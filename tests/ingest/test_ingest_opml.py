"""OPML: export then import gives the same feeds; import keeps feeds.yaml's comments."""

from __future__ import annotations

from pathlib import Path

import yaml
from ingest_support import Project, feed_entry

from digest.ingest.feedsconfig import Feed
from digest.ingest.opml import OpmlError, append_feeds, read_opml

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Policy">
      <outline text="Journal du Geek" type="rss" xmlUrl="https://www.journaldugeek.com/feed/"
               htmlUrl="https://www.journaldugeek.com/" language="fr"/>
      <outline title="Heise &amp; Co" text="heise" type="rss" xmlurl="https://www.heise.de/rss/heise.rdf"/>
      <outline text="Not a feed" htmlUrl="https://example.org/"/>
      <outline text="Gopher" xmlUrl="gopher://old.example.org/feed"/>
    </outline>
    <outline text="Journal du Geek again" xmlUrl="https://www.journaldugeek.com/feed/"/>
  </body>
</opml>
"""


def test_export_then_import_round_trips(project: Project, tmp_path: Path) -> None:
    feeds = [feed_entry("journaldugeek", "https://www.journaldugeek.com/feed/", name="Journal du Geek",
                        lang="fr", include=["IA", "régulat*"], exclude=["bon plan"]),
             feed_entry("ai-act", "https://artificialintelligenceact.eu/feed/", name='The "AI Act" <news>',
                        keep="all"),
             feed_entry("heise", "https://www.heise.de/rss/heise.rdf", name="heise online", lang="de")]
    project.write_feeds(*feeds)
    opml = tmp_path / "feeds.opml"
    result = project.cli("feeds", "export", "-o", str(opml))
    assert result.exit_code == 0, result.output
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"'
    assert opml.read_text(encoding="utf-8").startswith(head)
    stdout = project.cli("feeds", "export")
    assert stdout.output == opml.read_text(encoding="utf-8")

    original = (project.root / "content" / "feeds.yaml").read_text(encoding="utf-8")
    (project.root / "content" / "feeds.yaml").unlink()
    result = project.cli("feeds", "import", str(opml))
    assert result.exit_code == 0, result.output
    assert "imported 3 feeds into content/feeds.yaml (0 already listed, 0 skipped)" in result.output
    exported_again = tmp_path / "again.opml"
    project.cli("feeds", "export", "-o", str(exported_again))
    assert exported_again.read_bytes() == opml.read_bytes()
    # The imported YAML is laid out by ingest, not by hand, but says the same.
    reloaded = yaml.safe_load((project.root / "content" / "feeds.yaml").read_text(encoding="utf-8"))
    assert reloaded == yaml.safe_load(original)


def test_import_from_a_feed_reader_appends_and_keeps_comments(project: Project, tmp_path: Path) -> None:
    feeds_yaml = project.root / "content" / "feeds.yaml"
    feeds_yaml.write_text("# Our feeds.\nfeeds:\n  # EU first\n  - id: europarl\n"
                          "    url: https://www.europarl.europa.eu/rss/doc/press-releases/en.xml\n"
                          "    name: European Parliament\n    lang: en\n", encoding="utf-8")
    opml = tmp_path / "reader.opml"
    opml.write_bytes(READER_EXPORT)
    result = project.cli("feeds", "import", str(opml))
    assert result.exit_code == 0, result.output
    assert "imported 2 feeds into content/feeds.yaml (1 already listed, 1 skipped)" in result.output
    assert "skipped Gopher: gopher://old.example.org/feed is not an http(s) URL" in result.output
    text = feeds_yaml.read_text(encoding="utf-8")
    assert text.startswith("# Our feeds.\nfeeds:\n  # EU first\n  - id: europarl\n")
    assert '  - id: journal-du-geek\n    url: "https://www.journaldugeek.com/feed/"\n' in text
    assert '    name: "Heise & Co"\n    lang: en\n' in text
    again = project.cli("feeds", "import", str(opml))
    assert "imported 0 feeds" in again.output and feeds_yaml.read_text(encoding="utf-8") == text


def test_append_into_an_empty_list_and_before_other_keys() -> None:
    feed = Feed("new", "https://new.example.org/feed", "New", "en")
    assert append_feeds("feeds: []\n", [feed]).startswith("feeds:\n  - id: new\n")
    text = append_feeds("feeds:\n  - id: a\n    url: https://a.example.org/f\n", [feed])
    assert text.count("- id:") == 2


def test_bad_opml_is_refused(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>')
    result = project.cli("feeds", "import", str(bad))
    assert result.exit_code == 1 and "DOCTYPE or entities is not accepted" in result.output
    for data, message in ((b"<opml><body>", "not well-formed XML"), (b"<rss/>", "not OPML")):
        try:
            read_opml(data, [], "en")
        except OpmlError as exc:
            assert message in str(exc)
        else:  # pragma: no cover
            raise AssertionError("expected an OpmlError")
