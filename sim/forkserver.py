"""The sweep's fork server: where the process pool's workers come from.

The pool (:mod:`sim.sweep.executors`) forks its workers from a ``forkserver`` that has
imported the model once (:data:`PRELOAD`); neither forks the parent (safe next to
threads, e.g. in a notebook) nor changes the global start method. This module imports
nothing of the model, so that ``multilat sweep`` can start the server first thing
(:func:`start_early`): the server then imports the model on one core while the command
imports its own modules on the other, instead of one after the other.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import signal
import threading
from collections.abc import Sequence

#: Modules a ``forkserver`` imports once, before it forks the workers. (Loading the
#: compiled kernels there too was measured and dropped: the server's extra 0.5 s then
#: delays the workers as much as it saves them.)
PRELOAD = ["sim.sweep.worker", "sim.model", "sim.files"]


def available() -> bool:
    """Whether this platform has the ``forkserver`` start method (not Windows)."""
    return "forkserver" in multiprocessing.get_all_start_methods()


def pool_context() -> multiprocessing.context.BaseContext:
    """The pool's own start method: ``forkserver`` with the model preloaded, else ``spawn``.

    With ``forkserver`` the model is imported once, in the server, and every worker
    forked from it starts at once (also a pool started anew, or the next sweep from the
    same notebook); the preload list is the server's, shared by the whole process.
    """
    if available():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        start_fork_server()
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def start_fork_server() -> None:
    """Start the fork server (if it is not running) with Ctrl-C blocked, not lost.

    Ctrl-C in a terminal signals the whole process group; the sweep handles it (it
    writes what has finished and stops the pool). The fork server ignores SIGINT once it
    has imported the model, and so do the workers it forks; started with SIGINT blocked
    (a signal mask, which a new process inherits), it does not see it while it imports
    either, instead of printing a traceback from the middle of an import. This process
    holds the Ctrl-C pending meanwhile and acts on it as soon as the server is started
    (ignoring SIGINT instead would drop a Ctrl-C that comes in those milliseconds, and
    the sweep would go on). The resource tracker is started first, since starting it
    unblocks SIGINT (the standard library protects the tracker's start the same way).
    """
    from multiprocessing import forkserver, resource_tracker

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def wants_pool(argv: Sequence[str]) -> bool:
    """Whether a command line is a ``multilat sweep`` that will use the process pool.

    A cheap look at the words, before any parsing: the command is ``sweep``, with no
    ``--help``, ``--scheduler`` (Dask's workers) or ``--workers 1`` (this process). A
    guess that is wrong either way costs only time: an idle server, or a late one.
    """
    words = list(argv)
    command = next((w for w in words if not w.startswith("-")), None)
    if command != "sweep" or {"--help", "-h"} & set(words):
        return False
    for i, w in enumerate(words):
        if w == "--scheduler" or w.startswith("--scheduler="):
            return False
        value = None
        if w in ("--workers", "-w") and i + 1 < len(words):
            value = words[i + 1]
        elif w.startswith("--workers="):
            value = w.split("=", 1)[1]
        elif w.startswith("-w") and len(w) > 2:
            value = w[2:]
        if value is not None and value.strip() == "1":
            return False
    return True


def start_early(argv: Sequence[str]) -> None:
    """Start the fork server now if ``argv`` is a sweep on the process pool (:func:`wants_pool`).

    Called by the ``multilat`` entry point before it imports the command line; any
    failure is left for the pool to meet (and report) when it starts.
    """
    if not (available() and wants_pool(argv)):
        return
    try:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        start_fork_server()
    except (OSError, ValueError):  # pragma: no cover - the pool will say what is wrong
        pass
