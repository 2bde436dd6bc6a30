"""A process pool for the big stages (parsing, rendering), used only when it pays.

Workers are forked, so they start with the parent's memory: the site model, the Jinja
environment, the list of pages. A task is a chunk of indices into such a list, set
aside in `share()` before the fork, never the objects themselves. A small site, or a
rebuild with a few pages to render, stays in one process: starting workers costs
more than it saves below a few hundred items.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Items (pages, files) a worker handles before it is replaced by a fresh fork of the
# parent. Each page a worker renders touches shared objects (reference counts), which
# copies the memory pages holding them; its caches grow too. A bounded lifetime keeps a
# worker's private memory bounded: at 10,000 articles, about 100 MiB instead of 150, for
# about a tenth more CPU time.
ITEMS_PER_WORKER = 5000

# What the workers of the current pool read (inherited through fork); see share().
_SHARED: Any = None


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def workers_for(items: int, minimum: int) -> int:
    """How many processes `items` units of work deserve: one below `minimum`."""
    if items < minimum or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if os.environ.get("DIGEST_WORKERS"):
        return max(1, int(os.environ["DIGEST_WORKERS"]))
    return max(1, min(cpu_count(), items // max(1, minimum // 2)))


def shared() -> Any:
    """In a worker (or in the parent, single-process), what the stage shared."""
    return _SHARED


def split(items: Sequence[T], workers: int, per_worker: int, largest: int | None = None
          ) -> list[Sequence[T]]:
    """`items` in consecutive tasks, about `per_worker` per worker (so that a slow task
    does not leave the others idle at the end), each at most `largest` long."""
    size = max(1, len(items) // max(1, workers * per_worker))
    if largest is not None:
        size = min(size, largest)
    return [items[start: start + size] for start in range(0, len(items), size)]


def run(function: Callable[[T], R], tasks: Sequence[T], context: Any, workers: int,
        trim: bool = False, items_per_worker: int | None = None) -> Iterator[R]:
    """`function(task)` for every task, in order, with `context` available as shared().

    With workers > 1 the tasks run in forked processes, each replaced after about
    `items_per_worker` items (default ITEMS_PER_WORKER); the results come back pickled.
    """
    global _SHARED
    _SHARED = context
    try:
        if workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield function(task)
            return
        # Objects alive now are never freed by the workers' collector: freezing them
        # keeps the collector from touching (and so copying) the parent's pages.
        gc.collect()
        if trim:
            release_memory()
        gc.freeze()
        try:
            method = multiprocessing.get_context("fork")
            # Workers are replaced after ITEMS_PER_WORKER items, so that what one
            # accumulates (its copies of the parent's pages, its caches) stays bounded.
            items = sum(_size(task) for task in tasks) / len(tasks)
            per_worker = ITEMS_PER_WORKER if items_per_worker is None else items_per_worker
            lifetime = max(1, int(per_worker / max(1.0, items)))
            with method.Pool(processes=min(workers, len(tasks)),
                             maxtasksperchild=lifetime) as pool:
                yield from pool.imap(function, tasks)
        finally:
            gc.unfreeze()
    finally:
        _SHARED = None


def _size(task: Any) -> int:
    try:
        return len(task)
    except TypeError:
        return 1


def release_memory() -> None:
    """Give freed memory back to the system (glibc keeps it otherwise), so that forked
    workers do not start with it counted in."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def main_thread_only() -> bool:
    """Forking while other threads run (the preview server) is allowed but risky."""
    return threading.active_count() == 1
