"""Build benchmark: digest against Hugo and Pelican on the same synthetic corpus.

    python benchmarks/build_bench.py --n 10000 --repeat 3
    python benchmarks/build_bench.py --n 100000 --repeat 1 --only digest

Generates a deterministic corpus (benchmarks/corpus.py: N articles, four taxonomies,
dates over eight years, a fifth in French or German) for each generator, then measures
in one run, for each generator that is installed:

- cold build: empty output folder and no cache of any kind;
- no-change rebuild;
- rebuild after editing one article (a sentence appended to its body);
- rebuild after editing a template (a comment in the page frame: every page changes);

each the median of --repeat runs: wall time, CPU time (user + system, the process and
the workers it waited for) and peak memory (the largest process, from wait4's
maxrss; and the proportional set size summed over the process tree, sampled every
0.1 s, which counts pages that forked workers share with their parent once). digest runs as
`python -m digest build --no-search`: Pagefind (search) is kept out of the timed
build, and can be measured on its own with --search. With --live, it also measures the
live servers: Hugo's `hugo server` (fast render on and off) and `digest serve`, from
saving one article to the rebuild logged.

Prints a Markdown table and the ratios (digest's time divided by the other's: below 1,
digest is faster), and writes the results as JSON next to the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import corpus  # noqa: E402

TODAY = corpus.TODAY.isoformat()
SCENARIOS = ("cold", "no-change", "edit-article", "edit-template")
TOOLS = ("digest", "hugo", "pelican")
CORPUS_VERSION = "4"  # bump when corpus.py changes what it writes


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_mib: float  # the largest process of the tree
    tree_mib: float  # sampled proportional set size summed over the process tree
    ok: bool = True


@dataclass
class Cell:
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.runs)


# -- running one build, measured ----------------------------------------------------------


def _tree(pid: int) -> set[int]:
    """A process and its descendants, from the kernel's per-thread lists of children
    (cheap: the benchmark's sampler must not take CPU from what it measures)."""
    tree = {pid}
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:  # a child forked by any thread (a pool's worker-keeping thread)
            try:
                with open(f"/proc/{parent}/task/{task}/children", "rb") as handle:
                    children = [int(child) for child in handle.read().split()]
            except (OSError, ValueError):
                continue
            for child in children:
                if child not in tree:
                    tree.add(child)
                    stack.append(child)
    return tree


def _tree_pss(pid: int) -> int | None:
    """Memory of a process and its descendants (proportional set size), in bytes; None
    when a process started or ended while they were read.

    Proportional set size: a page shared by forked workers is counted once over the tree
    (summing RSS would count the parent's copy-on-write pages once per worker). The
    processes are read one after the other, so a fork in between would count the pages
    it shares twice (the parent's share read before it, the child's after): such a
    sample is dropped (at 100,000 articles, workers are replaced every few seconds).
    """
    tree = _tree(pid)
    total = 0
    for member in tree:
        try:
            with open(f"/proc/{member}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total if _tree(pid) == tree else None


def environment() -> dict[str, str]:
    """digest from this checkout (not whatever copy is installed), unbuffered output,
    and bytecode written as on a user's machine: with PYTHONDONTWRITEBYTECODE set (some
    containers set it), every run of digest compiled its changed modules again, while
    Pelican ran from the bytecode pip wrote when installing it."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# Memory is sampled every 0.1 s: a build's peak lasts far longer, and reading a process's
# smaps_rollup walks its page tables under its memory lock (every 20 ms, the sampler took
# a fifth of a CPU from the generators that use both).
SAMPLE_EVERY = 0.1


def measure(command: list[str], cwd: Path, log: Path) -> Run:
    """Run a command to completion: wall and CPU time, peak memory of the tree."""
    # The previous run's files are flushed first, so that its writeback does not land in
    # this run's time (a no-change build right after a cold one measured 0.59 s instead
    # of 0.33 s while the kernel wrote the 500 MB that the cold build left dirty).
    os.sync()
    with open(log, "ab") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   env=environment())
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_pss(process.pid) or 0)
                done.wait(SAMPLE_EVERY)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak / 2**20,
               ok=process.returncode == 0)


# -- the generators ---------------------------------------------------------------------


class Generator:
    name = ""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.log = log
        self.edits = 0

    def available(self) -> bool:
        return True

    def clean(self) -> None:
        """Remove the output and every cache: the next build is cold."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def article(self) -> Path:
        raise NotImplementedError

    def template(self) -> tuple[Path, str]:
        """A template, and the text before which an edit goes."""
        raise NotImplementedError

    def output(self) -> Path:
        raise NotImplementedError

    def build(self) -> Run:
        return measure(self.command(), self.root, self.log)

    def edit_article(self) -> None:
        self.edits += 1
        with open(self.article(), "a", encoding="utf-8") as handle:
            handle.write(f"\nOne more sentence for the benchmark, number {self.edits}.\n")

    def edit_template(self) -> None:
        self.edits += 1
        path, before = self.template()
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(before, f"<!-- benchmark edit {self.edits} -->{before}", 1),
                        encoding="utf-8")

    def files(self) -> int:
        out = self.output()
        return sum(1 for p in out.rglob("*") if p.is_file()) if out.is_dir() else 0


class Digest(Generator):
    name = "digest"

    def clean(self) -> None:
        shutil.rmtree(self.root / "site", ignore_errors=True)
        shutil.rmtree(self.root / ".digest-cache", ignore_errors=True)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "digest", "build", "--root", ".", "--out", "site",
                "--no-search", "--today", TODAY]

    def article(self) -> Path:
        files = sorted((self.root / "content/articles").rglob("*.md"))
        return files[len(files) // 2]

    def template(self) -> tuple[Path, str]:
        return self.root / "templates/base.html", "</footer>"

    def output(self) -> Path:
        return self.root / "site"


class Hugo(Generator):
    name = "hugo"

    def available(self) -> bool:
        return shutil.which("hugo") is not None

    def clean(self) -> None:
        for name in ("public", "resources"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def command(self) -> list[str]:
        return ["hugo", "--quiet", "--destination", "public"]

    def article(self) -> Path:
        files = sorted((self.root / "content/articles").rglob("*.md"))
        return files[len(files) // 2]

    def template(self) -> tuple[Path, str]:
        return self.root / "layouts/_default/baseof.html", "</footer>"

    def output(self) -> Path:
        return self.root / "public"


class Pelican(Generator):
    name = "pelican"

    def available(self) -> bool:
        return shutil.which("pelican") is not None

    def clean(self) -> None:
        for name in ("output", "cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def command(self) -> list[str]:
        return ["pelican", "content", "-s", "pelicanconf.py", "-o", "output", "-q"]

    def article(self) -> Path:
        files = sorted((self.root / "content").rglob("*.md"))
        return files[len(files) // 2]

    def template(self) -> tuple[Path, str]:
        return self.root / "theme/templates/base.html", "</footer>"

    def output(self) -> Path:
        return self.root / "output"


# -- live servers --------------------------------------------------------------------------


def live_rebuild(command: list[str], cwd: Path, ready: re.Pattern[str], rebuilt: re.Pattern[str],
                 edit: callable, log: Path, edits: int = 3) -> list[float]:  # type: ignore[valid-type]
    """Start a server, wait for its first build, then time `edits` saves to rebuilds.

    The time is from the save to the line that reports the rebuild (as the server itself
    measures it when it says so, else as seen here)."""
    lines: list[str] = []
    got = threading.Condition()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, env=environment())

    def reader() -> None:
        assert process.stdout is not None
        with open(log, "a", encoding="utf-8") as copy:
            for line in process.stdout:
                copy.write(line)
                with got:
                    lines.append(line)
                    got.notify_all()

    threading.Thread(target=reader, daemon=True).start()

    def wait_for(pattern: re.Pattern[str], start: int, timeout: float) -> tuple[int, re.Match[str]] | None:
        deadline = time.monotonic() + timeout
        with got:
            while True:
                for index in range(start, len(lines)):
                    match = pattern.search(lines[index])
                    if match:
                        return index, match
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                got.wait(remaining)

    times: list[float] = []
    try:
        first = wait_for(ready, 0, 900)
        if first is None:
            return times
        position = first[0] + 1
        for _ in range(edits):
            time.sleep(2.5)
            saved = time.perf_counter()
            edit()
            found = wait_for(rebuilt, position, 120)
            seen = time.perf_counter() - saved
            if found is None:
                break
            position = found[0] + 1
            reported = found[1].groupdict().get("ms") or found[1].groupdict().get("s")
            if reported is not None:
                value = float(reported) / (1000 if found[1].groupdict().get("ms") else 1)
                times.append(value)
            else:
                times.append(seen)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return times


# -- the run ------------------------------------------------------------------------------


def prepare(n: int, seed: int, work: Path, tools: list[str]) -> Path:
    """The corpus of each tool (digest's always), written unless already there."""
    folder = work / f"n{n}-seed{seed}"
    stamp = folder / "corpus.stamp"
    expected = f"{CORPUS_VERSION} {n} {seed}"
    fresh = stamp.is_file() and stamp.read_text().strip() == expected
    needed = sorted({"digest", *tools})
    todo = [tool for tool in needed if not (folder / tool).is_dir()] if fresh else needed
    if not todo:
        return folder
    if not fresh:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    started = time.perf_counter()
    data = corpus.make_corpus(n, seed)
    writers = {"digest": corpus.write_digest, "hugo": corpus.write_hugo,
               "pelican": corpus.write_pelican}
    for tool in todo:
        writers[tool](data, folder / tool)
    del data
    stamp.write_text(expected)
    print(f"corpus: {n:,} articles written in {time.perf_counter() - started:.0f} s to {folder} "
          f"({', '.join(todo)})", file=sys.stderr)
    return folder


def fresh_copy(folder: Path, tool: str) -> Path:
    """A working copy of the tool's corpus, so edits never touch the generated one; for
    digest, with the default theme as it is now in the checkout (the corpus is kept
    between runs, and the theme is part of what is measured)."""
    source = folder / tool
    target = folder / f"{tool}-run"
    if target.exists():
        shutil.rmtree(target)

    def old_theme(where: str, names: list[str]) -> list[str]:
        return ["templates"] if tool == "digest" and Path(where) == source else []

    shutil.copytree(source, target, symlinks=True, ignore=old_theme)
    if tool == "digest":
        shutil.copytree(REPO / "templates", target / "templates")
    return target


def bench_tool(generator: Generator, repeat: int) -> dict[str, Cell]:
    cells = {scenario: Cell() for scenario in SCENARIOS}
    name = generator.name
    time.sleep(2.1)  # the corpus was just copied: let its files age past the stat race window
    for attempt in range(repeat):
        generator.clean()
        run = generator.build()
        cells["cold"].runs.append(run)
        print(f"  {name} cold #{attempt + 1}: {run.wall:.2f} s", file=sys.stderr)
    files = generator.files()
    time.sleep(2.1)  # past the stat-signature race window for a fair no-change build
    for scenario, change in (("no-change", None), ("edit-article", generator.edit_article),
                             ("edit-template", generator.edit_template)):
        for attempt in range(repeat):
            if change is not None:
                change()
                time.sleep(2.1)
            run = generator.build()
            cells[scenario].runs.append(run)
            print(f"  {name} {scenario} #{attempt + 1}: {run.wall:.2f} s", file=sys.stderr)
            time.sleep(2.1)
    print(f"  {name}: {files:,} files", file=sys.stderr)
    return cells


def table(results: dict[str, dict[str, Cell]], n: int) -> str:
    tools = [t for t in TOOLS if t in results]
    head = "| scenario | " + " | ".join(
        f"{t} wall / CPU / peak mem" for t in tools) + "".join(
        f" | digest ÷ {t}" for t in tools if t != "digest" and "digest" in tools) + " |"
    lines = [head, "|" + "---|" * (1 + len(tools) + sum(1 for t in tools if t != "digest"
                                                       and "digest" in tools))]
    for scenario in SCENARIOS:
        cells = []
        for tool in tools:
            cell = results[tool][scenario]
            if not cell.runs:
                cells.append("—")
                continue
            cells.append(f"{cell.median('wall'):.2f} s / {cell.median('cpu'):.1f} s / "
                         f"{cell.median('maxrss_mib'):.0f} MiB ({cell.median('tree_mib'):.0f})"
                         + ("" if all(r.ok for r in cell.runs) else " FAILED"))
        ratios = []
        if "digest" in tools:
            mine = results["digest"][scenario]
            for tool in tools:
                if tool == "digest":
                    continue
                other = results[tool][scenario]
                if mine.runs and other.runs:
                    ratios.append(f"{mine.median('wall') / other.median('wall'):.2f}")
                else:
                    ratios.append("—")
        lines.append(f"| {scenario} | " + " | ".join(cells + ratios) + " |")
    lines.append("")
    lines.append(f"N = {n:,} articles; median of the runs; wall time / CPU time (user + system, "
                 "with workers) / peak memory of the largest process (in parentheses: the whole "
                 "process tree's proportional set size, shared pages counted once). "
                 "digest ÷ X below 1: digest is faster.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles (default 10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--only", choices=TOOLS, action="append",
                        help="measure only this generator (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "digest-bench",
                        help="where the corpora and outputs go (default: digest-bench in the "
                             "system's temporary folder)")
    parser.add_argument("--search", action="store_true",
                        help="also time digest's search indexing (Pagefind) on its own")
    parser.add_argument("--live", action="store_true",
                        help="also time live-server rebuilds (hugo server, digest serve)")
    args = parser.parse_args()
    tools = args.only or list(TOOLS)
    folder = prepare(args.n, args.seed, args.work, tools)
    log = folder / "bench.log"
    results: dict[str, dict[str, Cell]] = {}
    extra: dict[str, object] = {}
    for tool in tools:
        kind = {"digest": Digest, "hugo": Hugo, "pelican": Pelican}[tool]
        root = fresh_copy(folder, tool) if (folder / tool).is_dir() else folder / tool
        generator = kind(root, log)
        if not generator.available() or not root.is_dir():
            print(f"{tool}: not installed, skipped", file=sys.stderr)
            continue
        print(f"{tool}:", file=sys.stderr)
        results[tool] = bench_tool(generator, args.repeat)
        extra[f"{tool}_files"] = generator.files()
        if tool == "digest" and args.search:
            command = [sys.executable, "-c", (
                "import sys; from pathlib import Path; from digest.build import BuildOptions;"
                "from digest.model import build_model; from digest.project import Layout,"
                " load_content, publishable; from digest.search import index_site;"
                "import datetime as dt; c = load_content(Layout(Path('.')));"
                f"m = build_model(c.config, c.taxonomies, publishable(c.articles, False,"
                f" dt.date.fromisoformat('{TODAY}'))[0]); print(index_site(Path('site'), m))")]
            run = measure(command, root, log)
            extra["search"] = asdict(run)
            print(f"  digest search index alone: {run.wall:.2f} s", file=sys.stderr)
        if args.live and tool == "hugo":
            for fast in (True, False):
                command = ["hugo", "server", "--port", "13137", "--renderToDisk",
                           "--disableLiveReload", "--destination", "public-live"]
                if not fast:
                    command.append("--disableFastRender")
                times = live_rebuild(command, root, re.compile(r"Web Server is available"),
                                     re.compile(r"Total in (?P<ms>\d+) ms"),
                                     generator.edit_article, log)
                extra[f"hugo_server{'' if fast else '_full'}"] = times
                print(f"  hugo server ({'fast render' if fast else 'full render'}): {times}",
                      file=sys.stderr)
        if args.live and tool == "digest":
            command = [sys.executable, "-m", "digest", "serve", "--root", ".", "--port", "0",
                       "--no-drafts"]
            times = live_rebuild(command, root, re.compile(r"rebuilt in|http://"),
                                 re.compile(r"rebuilt in (?P<s>[0-9.]+) s"),
                                 generator.edit_article, log)
            extra["digest_serve"] = times
            print(f"  digest serve: {times}", file=sys.stderr)
    text = table(results, args.n)
    machine = (f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
               f"load average {os.getloadavg()[0]:.2f} at the end")
    print(text)
    print(f"\n{machine}")
    for key, value in extra.items():
        print(f"{key}: {value}")
    (folder / "results.json").write_text(json.dumps({
        "n": args.n, "repeat": args.repeat, "machine": machine, "extra": extra,
        "results": {tool: {scenario: [asdict(r) for r in cell.runs]
                           for scenario, cell in cells.items()}
                    for tool, cells in results.items()},
    }, indent=1))


if __name__ == "__main__":
    main()
