"""Start of the ``multilat`` command (and of ``python -m sim``).

Importing the command line takes numpy, pandas, numba and the model, and Typer then
builds the commands: a second or more on a cold start. A Ctrl-C in that time would end
in a traceback; here it ends with one line and exit code 130, as a Ctrl-C later does.
Nothing has been written by then. When a command begins (:func:`started`, called by
:class:`sim.cli.OneLineErrors`), Ctrl-C is Python's KeyboardInterrupt again, which the
command handles (a sweep keeps its finished runs: ``docs/sweep.md``), also when it
comes out of compiled code as another error caused by it (:func:`caused_by_interrupt`).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType


def _stop_while_starting(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("interrupted while starting: nothing was written\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def started() -> None:
    """A command begins: from now on a Ctrl-C is a KeyboardInterrupt (if it was guarded)."""
    try:
        if signal.getsignal(signal.SIGINT) is _stop_while_starting:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread
        pass


def caused_by_interrupt(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a KeyboardInterrupt or was raised because of one (its
    ``__cause__`` or ``__context__``, at any depth).
    """  # noqa: D205
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ if exc.__cause__ is not None else exc.__context__
    return False


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``multilat`` console script: :func:`sim.cli.main`."""
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _stop_while_starting)
    except ValueError:  # not the main thread: leave SIGINT alone
        pass
    try:
        from sim.cli import main as cli_main

        cli_main(argv)
    finally:
        started()
