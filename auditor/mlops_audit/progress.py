"""The progress bar of long audits, for people at a terminal: drawn on stderr once an audit has run for
:data:`DELAY` seconds (short audits never flicker), removed when it ends, and never drawn when stderr is not a
terminal (CI logs, pipes) or with ``--quiet``. It shows the current phase (the check being decided, the facts)
and how many of the project's checks are done."""

from __future__ import annotations

import time
from typing import Any

#: Seconds an audit runs before its progress bar appears.
DELAY = 1.0


class TerminalProgress:
    """A ``progress(phase, done, total)`` callback for :func:`mlops_audit.engine.audit` that draws with rich."""

    def __init__(self, console: Any, delay: float = DELAY) -> None:
        self.console = console
        self.delay = delay
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    @classmethod
    def for_stderr(cls, quiet: bool) -> TerminalProgress | None:
        """A progress bar on stderr, or None when quiet or when stderr is not a terminal."""
        if quiet:
            return None
        from rich.console import Console

        console = Console(stderr=True)
        return cls(console) if console.is_terminal else None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("mlops-audit: {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(phase, total=total or None)
        self.bar.update(self.task, description=phase, completed=done, total=total or None)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
