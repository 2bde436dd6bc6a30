"""Writing the site: into a temporary folder beside the output, swapped in on success.

A failed or interrupted build leaves the previous site exactly as it was: readers of a
preview server and `rsync` jobs never see half a site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path


class SiteWriter:
    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        self.count = 0

    def write(self, relative: str, data: bytes) -> None:
        target = (self.tmp / relative).resolve()
        if not target.is_relative_to(self.tmp):
            raise ValueError(f"refusing to write outside the output folder: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.count += 1

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
