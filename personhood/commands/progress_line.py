"""A progress line for long work (compiling circuits, building verifiers, opening a large gallery): the
step under way and its elapsed seconds, on stderr, so stdout keeps carrying only the result (JSON).

On a terminal the line is redrawn in place every second (`\\r`, then cleared when the work ends). When
stderr is not a terminal (a log file, CI) nothing is redrawn: a step is announced with one plain line
once it has run longer than `after_s`, so cached work that finishes at once prints nothing. Either
way, work that took longer than `after_s` ends with one "done in N s" line. `quiet` prints nothing.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

ANNOUNCE_AFTER_S = 1.0  # STYLE.md: progress for anything over a second
REDRAW_EVERY_S = 1.0


class ProgressLine:
    """Use as a context manager around long work; call `step(message)` as each part begins.

    `after_s` and `interval_s` default to the module's constants (read when the line is made);
    `clock` is injectable for tests. The line is written from one ticker thread.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        after_s: float | None = None,
        interval_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self._stream = stream if stream is not None else sys.stderr
        self._quiet = quiet
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._after_s = ANNOUNCE_AFTER_S if after_s is None else after_s
        self._interval_s = REDRAW_EVERY_S if interval_s is None else interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._step, self._step_started, self._announced = label, 0.0, True
        self._started = 0.0

    def __enter__(self) -> ProgressLine:
        self._started = self._step_started = self._clock()
        self._announced = False
        if not self._quiet:
            self._thread = threading.Thread(target=self._tick, name="progress-line", daemon=True)
            self._thread.start()
        return self

    def step(self, message: str) -> None:
        """The part of the work that begins now (shown after `after_s`, or redrawn on a terminal)."""
        with self._lock:
            self._step, self._step_started, self._announced = message, self._clock(), False

    def __call__(self, message: str) -> None:
        """`step` (so the line can be passed where a progress callback is expected)."""
        self.step(message)

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._quiet:
            return
        elapsed = self._clock() - self._started
        with self._lock:
            if self._tty:
                self._write("\r\x1b[K")
            if exc_type is None and elapsed > self._after_s:
                self._write(f"{self.label}: done in {elapsed:.1f} s\n")

    def render(self) -> None:
        """Write what is due now: the redrawn line on a terminal, else a step's one announcement."""
        with self._lock:
            now = self._clock()
            text = self.label if self._step == self.label else f"{self.label}: {self._step}"
            if self._tty:
                line = f"{text} ({now - self._started:.0f} s)"
                width = shutil.get_terminal_size().columns - 1  # a wrapped line could not be redrawn
                self._write(f"\r\x1b[K{line if len(line) <= width else '…' + line[-width + 1 :]}")
            elif not self._announced and now - self._step_started > self._after_s:
                self._write(f"{text} ...\n")
                self._announced = True

    def _tick(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.render()

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()
