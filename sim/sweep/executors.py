"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

All three take a :class:`~sim.sweep.worker.Job`, run :func:`~sim.sweep.worker.execute`
on it and hand back a future; the runner keeps :attr:`slots` of them in flight. None
changes the results: each run's seed comes from its key (:mod:`sim.sweep.seeds`).

The process pool uses its own ``forkserver`` context (``spawn`` where there is none;
never the global start method), so it works from a notebook and next to threads; the
model is imported once, before the workers start, and they take run after run.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import threading
from typing import Any, Protocol

from sim.sweep.interrupts import signals_held
from sim.sweep.worker import Job, execute, warm_up


class ExecutorError(RuntimeError):
    """An executor cannot run anything (e.g. Dask is not installed); one line."""


class WorkersFailed(ExecutorError):
    """The worker processes died before finishing a single run: nothing can run."""


class Executor(Protocol):
    """What the runner needs of an executor."""

    #: Runs to keep in flight (bounds memory: nothing else is queued).
    slots: int
    #: Short description for the manifest and the progress line.
    description: str

    def submit(self, job: Job) -> Any:
        """Start one run; return its future."""

    def wait(self, futures: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        """Futures done and not done, after at most ``timeout`` seconds."""

    def result(self, future: Any) -> dict[str, Any]:
        """The run's row (raises if the worker itself died)."""

    def close(self, now: bool = False) -> None:
        """Release the workers; runs not started are dropped, and with ``now`` (the
        sweep was interrupted) so are the runs in progress.
        """  # noqa: D205


#: Modules a ``forkserver`` imports once, before it forks the workers.
PRELOAD = ["sim.sweep.worker", "sim.model", "sim.files"]


def pool_context() -> multiprocessing.context.BaseContext:
    """The pool's own start method: ``forkserver`` with the model preloaded, else ``spawn``.

    Neither forks the parent (safe next to threads, e.g. in a notebook), and neither
    changes the global start method. With ``forkserver`` the model is imported once, in
    the server, and every worker forked from it starts at once (also a pool started
    anew, or the next sweep from the same notebook); the preload list is the server's,
    shared by the whole process.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _start_fork_server()
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _start_fork_server() -> None:
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


class SerialExecutor:
    """Runs each job at once in this process (``workers=1``): easy to debug and profile."""

    slots = 1
    description = "serial (this process)"

    def submit(self, job: Job) -> cf.Future:
        """Run the job now; return a finished future."""
        future: cf.Future = cf.Future()
        future.set_result(execute(job))
        return future

    def wait(self, futures: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        """Every future is already done."""
        return set(futures), set()

    def result(self, future: cf.Future) -> dict[str, Any]:
        """The run's row."""
        return future.result()

    def close(self, now: bool = False) -> None:
        """Nothing to release."""


class PoolExecutor:
    """A local pool of ``workers`` processes (:func:`pool_context`), reused for every run.

    Parameters
    ----------
    workers : int
        Number of worker processes.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.slots = 4 * workers
        self.description = f"local process pool, {workers} workers"
        #: the pool each future in flight was submitted to
        self._owner: dict[cf.Future, cf.ProcessPoolExecutor] = {}
        self._finished = 0  # runs finished on any of this executor's pools
        self._pool = self._start()

    def _start(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=pool_context(),
            initializer=warm_up,
            initargs=(os.getpid(),),
        )

    def submit(self, job: Job) -> cf.Future:
        """Queue the job on the pool.

        A pool a worker has just broken refuses new jobs before the runs in flight on it
        have reported; the job then gets a future that fails like theirs, so that
        :meth:`result` replaces the pool once and the run is recorded failed (to be run
        again with ``--retry-failed``) instead of the sweep stopping.
        """
        try:
            with signals_held(signal.SIGINT, signal.SIGTERM):
                future = self._pool.submit(execute, job)
        except cf.process.BrokenProcessPool as exc:
            future = cf.Future()
            future.set_exception(exc)
        self._owner[future] = self._pool
        return future

    def wait(self, futures: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        """:func:`concurrent.futures.wait` for the first to finish."""
        done, pending = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done, pending

    def result(self, future: cf.Future) -> dict[str, Any]:
        """The run's row; a dead worker breaks the pool, which is then started anew.

        Every run in flight on the broken pool raises; the pool is replaced once. If no
        run has finished on any pool yet, the workers cannot start at all:
        :class:`WorkersFailed`.
        """
        owner = self._owner.pop(future, None)
        try:
            row = future.result()
        except cf.process.BrokenProcessPool as exc:
            if owner is self._pool:
                finished = self._finished + sum(
                    1
                    for f, pool in self._owner.items()
                    if pool is owner and f.done() and f.exception() is None
                )
                if not finished:
                    raise WorkersFailed(
                        f"the worker processes died before finishing any run ({exc}); in a "
                        "script, call sim.sweep.run under `if __name__ == '__main__':`"
                    ) from None
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            raise
        self._finished += 1
        return row

    def close(self, now: bool = False) -> None:
        """Stop the workers; queued runs are cancelled.

        ``now`` (a Ctrl-C, an error): the runs in progress are stopped too, since they
        would not be kept; waiting for them took as long as a run, which made users
        press Ctrl-C again. Else the workers end once their run is done.
        """
        if now:
            # the pool's own processes (Python 3.14 has terminate_workers() for this)
            for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Runs on a Dask distributed cluster (``pip install 'multilat[dask]'``).

    Parameters
    ----------
    scheduler : str or distributed.Client
        The scheduler's address (``tcp://HOST:PORT``) or a connected client. Workers
        must have multilat installed and see the results folder (a shared file system)
        to write the per-step parts.
    """

    def __init__(self, scheduler: Any) -> None:
        try:
            import distributed
        except ImportError:  # pragma: no cover - depends on the extra
            raise ExecutorError("--scheduler needs Dask: pip install 'multilat[dask]'") from None
        self._distributed = distributed
        if isinstance(scheduler, distributed.Client):
            self.client, self._own = scheduler, False
        else:
            try:
                self.client = distributed.Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {scheduler!r} "
                    f"({' '.join(str(exc).split()) or type(exc).__name__}); is it running?"
                ) from None
            self._own = True
        threads = sum(self.client.nthreads().values()) or 1
        self.slots = 4 * threads
        self.description = f"dask {self.client.scheduler.address}, {threads} threads"

    def submit(self, job: Job) -> Any:
        """Send the job to the cluster (never cached: ``pure=False``)."""
        return self.client.submit(execute, job, pure=False)

    def wait(self, futures: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        """:func:`distributed.wait` for the first to finish."""
        try:
            done, pending = self._distributed.wait(
                list(futures), timeout=timeout, return_when="FIRST_COMPLETED"
            )
        except TimeoutError:
            return set(), set(futures)
        return set(done), set(pending)

    def result(self, future: Any) -> dict[str, Any]:
        """The run's row."""
        try:
            return future.result()
        finally:
            future.release()

    def close(self, now: bool = False) -> None:
        """Close the client if this executor opened it (its runs are then cancelled)."""
        if self._own:
            self.client.close()


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def in_this_process(workers: int | None = None, scheduler: Any = None) -> bool:
    """Whether :func:`make_executor` runs the sweep in this process (no worker processes)."""
    return scheduler is None and (default_workers() if workers is None else workers) == 1


def make_executor(workers: int | None = None, scheduler: Any = None) -> Executor:
    """The executor for ``scheduler`` (Dask) or ``workers`` (1: this process; default cores)."""
    if scheduler is not None:
        return DaskExecutor(scheduler)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers: bad value {workers}: must be at least 1")
    return SerialExecutor() if in_this_process(workers) else PoolExecutor(workers)
