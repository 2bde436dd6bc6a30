"""Writing the site so that readers never see half of it.

Two ways, one guarantee: a build that fails leaves the previous site exactly as it was.

- `SiteWriter` builds the whole site in a temporary folder beside the output and swaps
  it in with two renames. Used for a first build, and whenever the search index must
  be rebuilt (Pagefind reads the whole site); unchanged files are hard links to the
  old ones, so they keep their bytes and mtimes.
- `StagedWriter` writes only the files that changed into a staging folder beside the
  output. On commit it writes a journal (what to move in, what to delete), then moves
  each file into place with an atomic rename, then deletes the staging folder. If the
  build is interrupted before the journal exists, the site is untouched; after, the
  next build (or `recover()`) finishes the moves from the journal. Unchanged files are
  never touched, so they keep their mtimes, and a preview server keeps serving.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

JOURNAL = ".digest-journal"
STAGE_MARK = "tmp-stage-"


def safe_relative(relative: str) -> str:
    """A relative output path, or ValueError if it would leave the output folder."""
    norm = posixpath.normpath(relative)
    if norm.startswith(("/", "../")) or norm in ("..", ".", "") or "\0" in norm:
        raise ValueError(f"refusing to write outside the output folder: {relative}")
    return norm


class _Folder:
    """Files written under one folder, creating parent folders once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: set[str] = {""}
        self.count = 0

    def _parent(self, relative: str) -> Path:
        target = self.folder / relative
        parent = posixpath.dirname(relative)
        if parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        return target

    def write(self, relative: str, data: bytes) -> os.stat_result:
        """Write a new file; returns its stat (size and mtime are remembered)."""
        target = self._parent(safe_relative(relative))
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()  # the size and mtime remembered must be the final ones
            stat = os.fstat(handle.fileno())
        self.count += 1
        return stat

    def place(self, relative: str, source: Path) -> os.stat_result:
        """Put an existing file (a kept page) at `relative`: a hard link, else a copy."""
        target = self._parent(safe_relative(relative))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        self.count += 1
        return os.stat(target)


class SiteWriter(_Folder):
    """The whole site in a temporary folder beside the output, swapped in on commit."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        super().__init__(tmp)
        self.tmp = tmp

    def copy_tree(self, source: Path, prefix: str, skip: Iterable[str] = ()) -> None:
        skipped = set(skip)
        if not source.is_dir():
            return
        for path in sorted(source.rglob("*")):
            if path.is_file() and not any(part in skipped for part in path.parts):
                self.write(f"{prefix}/{path.relative_to(source).as_posix()}", path.read_bytes())

    def commit(self) -> None:
        """Swap the new site in: two renames, the old one removed afterwards."""
        old: Path | None = None
        if self.out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            os.rmdir(old)
            os.replace(self.out, old)
        os.replace(self.tmp, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class StagedWriter(_Folder):
    """Only what changed, staged beside the output, moved in file by file on commit."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.{STAGE_MARK}",
                                      dir=self.out.parent))
        super().__init__(stage)
        self.stage = stage
        self.moves: list[str] = []
        self.deletes: list[str] = []

    def write(self, relative: str, data: bytes) -> os.stat_result:
        stat = super().write(relative, data)
        self.moves.append(safe_relative(relative))
        return stat

    def place(self, relative: str, source: Path) -> os.stat_result:
        stat = super().place(relative, source)
        self.moves.append(safe_relative(relative))
        return stat

    def staged(self, relative: str) -> None:
        """A file a worker process wrote into the staging folder."""
        self.moves.append(safe_relative(relative))
        self.count += 1

    def delete(self, relative: str) -> None:
        self.deletes.append(safe_relative(relative))

    def commit(self) -> None:
        journal = self.stage / JOURNAL
        partial = self.stage / (JOURNAL + ".partial")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump({"move": self.moves, "delete": self.deletes}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, journal)  # from here on, the build has happened
        _apply(self.stage, self.out)

    def abort(self) -> None:
        if (self.stage / JOURNAL).is_file():
            return  # committed: the next build (recover()) finishes the moves
        shutil.rmtree(self.stage, ignore_errors=True)


def _apply(stage: Path, out: Path) -> None:
    """Carry out a staging folder's journal; safe to run again after an interruption."""
    with open(stage / JOURNAL, encoding="utf-8") as handle:
        journal = json.load(handle)
    made: set[str] = set()
    for relative in journal["move"]:
        source = stage / relative
        if not source.exists():
            continue  # moved before the interruption
        parent = posixpath.dirname(relative)
        if parent not in made:
            (out / parent).mkdir(parents=True, exist_ok=True)
            made.add(parent)
        os.replace(source, out / relative)
    emptied: set[Path] = set()
    for relative in journal["delete"]:
        target = out / relative
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(target)
        emptied.add(target.parent)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while folder != out and folder.is_relative_to(out):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
    shutil.rmtree(stage, ignore_errors=True)


def recover(out: Path) -> list[Path]:
    """Finish the commits an interrupted build journaled; drop its abandoned folders.

    Returns the staging folders that were completed. Call it holding the build lock.
    """
    out = out.resolve()
    done: list[Path] = []
    if not out.parent.is_dir():
        return done
    for entry in sorted(out.parent.glob(f".{out.name}.tmp-*")):
        if not entry.is_dir():
            continue
        if STAGE_MARK in entry.name and (entry / JOURNAL).is_file():
            _apply(entry, out)
            done.append(entry)
        else:
            shutil.rmtree(entry, ignore_errors=True)
    for entry in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(entry, ignore_errors=True)
    return done
