"""Measure `digest ingest` relevance and company tagging on a hand-labelled set.

Runs the code ingest runs on each entry of labelled.yaml (the same vocabulary, built
from the repository's content/site.yaml and content/taxonomy.yaml with the default
settings, the same document zones, the same keep rules, no feed rules), then prints:

  - relevance precision, recall and F1 (an entry is kept, or not);
  - company tags, micro-averaged over (entry, company) pairs: precision and recall on
    the entries labelled relevant, and on every entry. A company counts as tagged when
    it is in the draft's `company:` key (what the entry is about), not in `mentions:`;
  - every error: each relevance false positive with the reasons the tool gave, each
    false negative with what the tool saw, and each entry whose company tags differ.

The set is split: `dev` entries were used to tune the rules, `test` entries were not.

    python benchmarks/relevance/evaluate.py [--split dev|test|all] [--errors] [--root DIR]
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
LABELLED = Path(__file__).with_name("labelled.yaml")
sys.path.insert(0, str(REPO))

from digest.ingest.clean import html_words  # noqa: E402
from digest.ingest.document import build_document  # noqa: E402
from digest.ingest.pipeline import Project, load_project  # noqa: E402
from digest.ingest.relevance import judge  # noqa: E402


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    source: str
    lang: str
    title: str
    summary: str
    link: str
    relevant: bool
    companies: frozenset[str]
    note: str
    split: str


@dataclass(frozen=True, slots=True)
class Judged:
    entry: Labelled
    kept: bool
    reasons: tuple[str, ...]
    companies: tuple[str, ...]
    """Companies the tool says the entry is about (the draft's `company:` key)."""
    mentioned: tuple[str, ...]
    policy_words: tuple[str, ...]
    ai_word: str | None


@dataclass(frozen=True, slots=True)
class Scores:
    entries: int
    relevant: int
    precision: float
    recall: float
    f1: float
    company_precision: float
    """On entries labelled relevant."""
    company_recall: float
    company_precision_all: float
    """On every entry."""
    company_recall_all: float


def load(path: Path = LABELLED) -> list[Labelled]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Labelled(e["id"], e["source"], e["lang"], e["title"], e.get("summary") or "",
                     e.get("link") or "", bool(e["relevant"]), frozenset(e.get("companies") or ()),
                     e.get("note") or "", e.get("split") or "dev")
            for e in data["entries"]]


def judge_entries(entries: Iterable[Labelled], project: Project | None = None) -> list[Judged]:
    """Run ingest's analysis and keep rules on each entry, as `work_on_feed` does."""
    project = project or load_project(REPO)
    vocabulary = project.vocabulary
    taxonomies = project.settings.company_taxonomies
    out = []
    for entry in entries:
        # The feed's description, as ingest reads it (the summary is plain text here).
        summary = html_words(html.escape(entry.summary, quote=False))
        document = build_document(entry.title, summary, "", entry.lang)
        analysis = vocabulary.analyse(document, None, link=entry.link or None)
        verdict = judge(analysis, document, company_taxonomies=taxonomies)
        about = tuple(s for t in taxonomies for s in analysis.tags.about.get(t, ()))
        mentioned = tuple(s for t in taxonomies for s in analysis.tags.mentions.get(t, ()))
        out.append(Judged(entry, verdict.keep, verdict.reasons, about, mentioned,
                          analysis.policy_in_lead, analysis.ai_in_lead))
    return out


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _company_counts(judged: Sequence[Judged]) -> tuple[int, int, int]:
    true_positive = predicted = expected = 0
    for j in judged:
        got = set(j.companies)
        true_positive += len(got & j.entry.companies)
        predicted += len(got)
        expected += len(j.entry.companies)
    return true_positive, predicted, expected


def score(judged: Sequence[Judged]) -> Scores:
    kept_relevant = sum(1 for j in judged if j.kept and j.entry.relevant)
    kept = sum(1 for j in judged if j.kept)
    relevant = sum(1 for j in judged if j.entry.relevant)
    precision, recall = _ratio(kept_relevant, kept), _ratio(kept_relevant, relevant)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    tp, pred, exp = _company_counts([j for j in judged if j.entry.relevant])
    tp_all, pred_all, exp_all = _company_counts(judged)
    return Scores(len(judged), relevant, precision, recall, f1, _ratio(tp, pred), _ratio(tp, exp),
                  _ratio(tp_all, pred_all), _ratio(tp_all, exp_all))


def format_scores(name: str, s: Scores) -> str:
    return (f"{name:<5} {s.entries:>4} entries ({s.relevant} relevant)   "
            f"relevance P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}   "
            f"companies (relevant) P {s.company_precision:.3f} R {s.company_recall:.3f}   "
            f"(all) P {s.company_precision_all:.3f} R {s.company_recall_all:.3f}")


def format_errors(judged: Sequence[Judged]) -> list[str]:
    lines: list[str] = []
    for kind, wanted in (("FALSE POSITIVE", False), ("FALSE NEGATIVE", True)):
        wrong = [j for j in judged if j.kept != j.entry.relevant and j.entry.relevant is wanted]
        lines.append(f"\n{kind}S ({len(wrong)})")
        for j in wrong:
            lines.append(f"  [{j.entry.id}] ({j.entry.lang}) {j.entry.title[:100]}")
            if j.kept:
                lines.append("      kept because: " + "; ".join(j.reasons))
            else:
                lines.append(f"      saw: companies {list(j.companies)}, policy words "
                             f"{list(j.policy_words)}, AI word {j.ai_word!r}")
            lines.append(f"      label note: {j.entry.note}")
    wrong_tags = [j for j in judged if set(j.companies) != j.entry.companies]
    lines.append(f"\nCOMPANY TAG DIFFERENCES ({len(wrong_tags)})")
    for j in wrong_tags:
        extra = sorted(set(j.companies) - j.entry.companies)
        missing = sorted(j.entry.companies - set(j.companies))
        mark = "relevant" if j.entry.relevant else "not relevant"
        lines.append(f"  [{j.entry.id}] ({mark}) {j.entry.title[:90]}")
        lines.append(f"      extra {extra}  missing {missing}  (mentions {list(j.mentioned)})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="list every error")
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    args = parser.parse_args(argv)
    entries = load(args.labelled)
    judged = judge_entries(entries)
    for name in ("dev", "test", "all"):
        part = [j for j in judged if name == "all" or j.entry.split == name]
        print(format_scores(name, score(part)))
    if args.errors:
        shown = [j for j in judged if args.split == "all" or j.entry.split == args.split]
        print("\n".join(format_errors(shown)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
