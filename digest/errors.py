"""Problems found in the content, and the one exception that carries them.

Every stage collects problems instead of stopping at the first one, so a contributor
sees the whole list at once. A problem names the file and line, says what was
expected, and keeps the offending source line so the terminal can show it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"
    source_line: str = ""

    def format(self) -> str:
        head = f"{self.path}:{self.line}: {self.severity}: {self.message}"
        if self.source_line.strip():
            return f"{head}\n    {self.source_line.rstrip()}"
        return head

    def annotation(self) -> str:
        """GitHub Actions workflow command, so the problem shows on the PR's line."""
        kind = "error" if self.severity == "error" else "warning"
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace(",", "%2C").replace(":", "%3A")
        return f"::{kind} file={path},line={self.line}::{message}"


class DigestError(Exception):
    """Raised when the content has errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.message))
        super().__init__("\n".join(p.format() for p in self.problems))


class ProblemList:
    """Collects problems for one or more files; cheap to pass down a stage."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._lines: dict[str, list[str]] = {}

    def remember_source(self, path: str, text: str) -> None:
        self._lines[path] = text.split("\n")

    def add(self, path: str, line: int, message: str, severity: str = "error") -> None:
        lines = self._lines.get(path, [])
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        self.items.append(Problem(path, line, message, severity, source))

    def warn(self, path: str, line: int, message: str) -> None:
        self.add(path, line, message, "warning")

    def extend(self, other: Iterable[Problem]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise DigestError(self.items)


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """' (did you mean "x"?)' or '' — the suffix for an unknown-name message."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f'"{c}"' for c in close) + "?)"


def relpath(path: Path, root: Path) -> str:
    """A path as the user typed it: relative to the project when possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
