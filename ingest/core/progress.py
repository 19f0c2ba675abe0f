"""Progress bars for long runs, on a terminal only.

An mbox of a whole season, `reprocess --all`, the first sync of a full
mailbox: a coordinator at a terminal should see how far it is. Nothing is
drawn when stderr is not a terminal (cron, logs, `intake run` as a service)
or in `--json` mode, whose output a script reads.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

Advance = Callable[[], None]
ProgressFactory = Callable[[str, "int | None"], AbstractContextManager[Advance]]


def on_terminal(as_json: bool = False) -> bool:
    return not as_json and sys.stderr.isatty()


@contextmanager
def progress_bar(label: str, total: int | None, enabled: bool = True) -> Iterator[Advance]:
    """Yield a function to call once per item; draws a bar on stderr when enabled."""
    if not enabled:
        yield lambda: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("剩余"),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


@contextmanager
def no_progress(_label: str, _total: int | None) -> Iterator[Advance]:
    yield lambda: None


def terminal_progress(label: str, total: int | None) -> AbstractContextManager[Advance]:
    """A bar when stderr is a terminal, nothing otherwise: what a long run started by hand wants."""
    return progress_bar(label, total, enabled=on_terminal())
