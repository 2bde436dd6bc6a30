"""What a build reads, found cheaply: the article files with their stat signatures, and
digests of digest's own code and of the theme. Nothing heavy is imported here, so a
build with nothing to do stops before loading the template engine or the parsers.
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from .cache import digest
from .errors import relpath

PACKAGE = Path(__file__).resolve().parent
UNRELATED = ("ingest/", "serve.py", "cli.py", "newarticle.py", "__main__.py")  # not in a build
DEPENDENCIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "babel", "pyyaml")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # as found on disk
    name: str  # relative to the project root, as in messages
    sig: str  # size, mtime, inode, ctime: a change of any means "read it again"
    changed_ns: int  # the later of mtime and ctime


def scan_articles(folder: Path, root: Path) -> list[SourceFile]:
    """The article files in `article_files()` order, with their stat signatures."""
    if not folder.is_dir():
        return []
    resolved_root = root.resolve()
    try:
        prefix = folder.resolve().relative_to(resolved_root).as_posix() + "/"
    except ValueError:
        prefix = None
    found: list[tuple[list[str], str, str, os.stat_result]] = []
    stack: list[tuple[str, str]] = [(str(folder), "")]
    while stack:
        directory, relative = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir and not entry.is_symlink():
                stack.append((entry.path, relative + entry.name + "/"))
            if fnmatchcase(entry.name, "*.md") and not entry.name.startswith("."):
                rel = relative + entry.name
                if prefix is not None and not entry.is_symlink():
                    name = prefix + rel
                else:
                    name = relpath(Path(entry.path), root)
                try:
                    stat = os.stat(entry.path)
                except OSError:
                    continue
                found.append((rel.split("/"), entry.path, name, stat))
    found.sort(key=lambda f: f[0])
    return [SourceFile(path, name, _sig(stat), max(stat.st_mtime_ns, stat.st_ctime_ns))
            for _, path, name, stat in found]


def _sig(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}:{stat.st_ctime_ns}"


def file_bytes(path: Path | str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def code_digest() -> bytes:
    """digest's own code and the versions of the libraries that shape the output."""
    parts: list[bytes | str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not relative.startswith(UNRELATED):
            parts += [relative, path.read_bytes()]
    for name in DEPENDENCIES:
        try:
            parts.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name}=?")
    return digest(*parts)


def tree_digest(folder: Path) -> bytes:
    """Every file under `folder` (names and bytes): the theme, for instance."""
    parts: list[bytes | str] = []
    if folder.is_dir():
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


