"""Ctrl-C and SIGTERM during a sweep: held over the steps that must not be cut, and
never lost.

Python runs a signal's handler between two bytecodes of the main thread, wherever it
is, also inside a weak reference's callback or a ``__del__`` during a garbage
collection; a KeyboardInterrupt raised there is printed as "Exception ignored" and
dropped, and the sweep would go on to its end (seen once in about twenty Ctrl-Cs while
a sweep started). :func:`watch_interrupts` notes every such signal, so that the sweep
loop can act on one whose KeyboardInterrupt went astray (:meth:`InterruptWatch.check`).

A Ctrl-C can also land while compiled code (the model's numba kernels) has called back
into Python: the KeyboardInterrupt then comes out as a ``SystemError`` ("returned a
result with an exception set") caused by it. :func:`sim.entry.caused_by_interrupt`
tells it from a failure of the run, so that it stops the run, the sweep or the command
like any Ctrl-C instead of being recorded as a failed run or printed as a traceback (it
lives in :mod:`sim.entry`, which the command line imports without the sweep's modules).
"""  # noqa: D205

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

#: The signals a sweep treats as "stop and keep what has finished".
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held(*signums: int) -> Iterator[None]:
    """Hold ``signums`` (Ctrl-C, SIGTERM) until the block ends, then deliver them.

    A submit may start a worker: the fork server is asked for a process and the pool
    registers it once it exists. Interrupted in between, the sweep would stop without
    waiting for that worker, which then starts after its queues are gone and prints a
    traceback. Only the main thread has signal handlers; elsewhere nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {n: signal.signal(n, lambda signum, frame: caught.append(signum)) for n in signums}
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(n, handler)
        for n in dict.fromkeys(caught):
            signal.raise_signal(n)  # now, through the handler the block held it from


class InterruptWatch:
    """Which stop signals have come while the watch was on (see the module's notes)."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def check(self) -> None:
        """Raise KeyboardInterrupt if a stop signal came (its own may have been dropped)."""
        if self.seen:
            raise KeyboardInterrupt

    def _wrap(self, handler: Callable[[int, FrameType | None], Any]) -> Callable[..., Any]:
        def noted(signum: int, frame: FrameType | None) -> Any:
            self.seen.append(signum)
            return handler(signum, frame)

        return noted


@contextlib.contextmanager
def watch_interrupts() -> Iterator[InterruptWatch]:
    """Note each stop signal whose handler is Python's (Ctrl-C's KeyboardInterrupt, the
    CLI's SIGTERM) before that handler runs; the handlers are otherwise unchanged, and a
    signal that is ignored or left to the system stays so. Main thread only.
    """  # noqa: D205
    watch = InterruptWatch()
    if threading.current_thread() is not threading.main_thread():
        yield watch
        return
    previous = {n: signal.getsignal(n) for n in STOP_SIGNALS}
    for n, handler in previous.items():
        if callable(handler):
            signal.signal(n, watch._wrap(handler))
    try:
        yield watch
    finally:
        for n, handler in previous.items():
            if callable(handler):
                signal.signal(n, handler)
