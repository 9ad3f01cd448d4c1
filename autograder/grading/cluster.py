"""Grading on a Dask cluster: ``autograder grade --scheduler`` (the launcher) and ``autograder worker`` (a host).

Imported only with ``--scheduler`` or by ``autograder worker``: without them Dask is never imported.

* The launcher submits one task per submission (:func:`autograder.grading.tasks.run_task`, the
  notebook's bytes inside) and stays the only writer of the result store (``grade_many``).
* Each worker process grades one submission at a time (pytest is not thread-safe: one thread per
  worker process), with every sandbox measure of a local grading: the sandbox is a process forked
  by a pre-started worker started with ``subprocess`` (a Dask worker's processes are daemonic and
  may not use ``multiprocessing`` children), warmed by :class:`Prestart` as the worker joins.
* Faults: the scheduler reschedules the task of a lost worker once (``allowed_failures = 1``; a
  worker holds only the task it runs: worker saturation 1.0); a second loss raises ``KilledWorker``
  and the submission is an infrastructure failure. An infrastructure error raised inside the task
  names its worker (:func:`grade_on_worker`) and is retried once by the launcher on another worker.
  A lost scheduler cancels every future: the batch stops with :class:`SchedulerLost`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import distributed
from distributed import Client, LocalCluster, WorkerPlugin
from distributed.scheduler import KilledWorker

from autograder.grading.executors import SchedulerLost
from autograder.grading.sandbox import check_isolation
from autograder.grading.tasks import HOST_SLOTS_ENV, Outcome, Task, prestart, run_task
from autograder.grading.zygote import WEAK_ISOLATION_ENV, WeakIsolation
from autograder.paths import KIT_ROOT

ALLOWED_FAILURES = 1


def _configure_scheduler(dask_scheduler: distributed.Scheduler) -> None:
    """On the scheduler: a lost worker's task is rescheduled once; a worker holds only the task it runs."""
    dask_scheduler.allowed_failures = ALLOWED_FAILURES
    dask_scheduler.WORKER_SATURATION = 1.0


class Prestart(WorkerPlugin):
    """Starts the batch's pre-started workers (zygotes) as each Dask worker joins, in the background."""

    def __init__(self, assignments: Sequence[str], include_hidden: bool) -> None:
        self.assignments, self.include_hidden = tuple(assignments), include_hidden

    def setup(self, worker: distributed.Worker) -> None:
        threading.Thread(target=prestart, args=(self.assignments, self.include_hidden), daemon=True).start()


def security(ca_file: str | None, cert: str | None, key: str | None) -> distributed.Security | None:
    """TLS settings from the command line (None: Dask's configuration decides, e.g. ``distributed.comm.tls``)."""
    if not (ca_file or cert or key):
        return None
    return distributed.Security(tls_ca_file=ca_file, tls_client_cert=cert, tls_client_key=key,
                                require_encryption=True)


def grade_on_worker(task: Task, slots: int) -> Outcome:
    """:func:`run_task` on a Dask worker: an infrastructure error names this worker, which its retry avoids."""
    outcome = run_task(task, slots)
    if outcome.result is None:
        outcome.where = distributed.get_worker().address
    return outcome


class DaskExecutor:
    """Tasks run on a Dask cluster: a scheduler's address, a scheduler file, or ``local`` (a LocalCluster here)."""

    def __init__(self, address: str | None, scheduler_file: str | None, workers: int,
                 assignments: Sequence[str], include_hidden: bool,
                 tls: distributed.Security | None = None) -> None:
        self.cluster: LocalCluster | None = None
        self.slots = 0  # remote hosts say how many sandboxes they run ($DLKIT_HOST_SLOTS)
        if address == "local":
            refuse_weak_isolation(accept=False)
            self.slots = workers
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40,
                                        env={HOST_SLOTS_ENV: str(workers), "PYTHONPATH": str(KIT_ROOT)})
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, scheduler_file=scheduler_file, security=tls)
            except TypeError as error:  # distributed's words for a tls:// scheduler reached without certificates
                raise RuntimeError("the scheduler speaks TLS only: give --tls-ca-file, --tls-cert and --tls-key "
                                   "(or Dask's distributed.comm.tls configuration)") from error
        self.client.run_on_scheduler(_configure_scheduler)
        self.client.register_plugin(Prestart(assignments, include_hidden), name="dlkit-prestart")
        self.pending = distributed.as_completed()
        self.indices: dict[str, int] = {}
        self.attempts: dict[int, int] = {}

    def submit(self, index: int, task: Task, avoid: str | None = None) -> None:
        attempt = self.attempts[index] = self.attempts.get(index, 0) + 1
        others = [w for w in self.client.scheduler_info()["workers"] if w != avoid] if avoid else []
        placement = {"workers": others, "allow_other_workers": False} if others else {}
        future = self.client.submit(grade_on_worker, task, self.slots, key=f"grade-{task.key[:24]}-{index}-{attempt}",
                                    pure=False, **placement)
        self.indices[future.key] = index
        self.pending.add(future)

    def next_outcome(self) -> tuple[int, Outcome]:
        future = next(self.pending)
        index = self.indices.pop(future.key)
        if future.cancelled():
            raise SchedulerLost("the Dask scheduler cannot be reached any more")
        try:
            return index, future.result()
        except KilledWorker as error:
            return index, Outcome(None, f"workers died twice while grading it (last: {error.last_worker.address})",
                                  error.last_worker.address, final=True)
        except Exception as error:
            if self.client.status != "running":
                raise SchedulerLost(str(error)) from error
            return index, Outcome(None, f"{type(error).__name__}: {error}", "")

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def refuse_weak_isolation(accept: bool) -> list[str]:
    """The isolation measures this host cannot apply; raises unless weaker isolation is accepted.

    Raises:
        WeakIsolation: a measure is missing and ``accept`` is False.
    """
    if accept:
        os.environ[WEAK_ISOLATION_ENV] = "1"
    missing = sorted(name for name, applied in check_isolation().items() if not applied)
    if missing and not accept:
        raise WeakIsolation(f"this host cannot isolate sandboxes ({', '.join(missing)} missing); "
                            "fix it, or start with --accept-weak-isolation (every result then says so)")
    return missing


def run_worker(address: str | None, scheduler_file: str | None, nworkers: int, accept_weak: bool,
               tls: tuple[str | None, str | None, str | None]) -> int:
    """``autograder worker``: check isolation, then run ``dask worker`` with one thread per worker process."""
    missing = refuse_weak_isolation(accept_weak)
    env = {**os.environ, HOST_SLOTS_ENV: str(nworkers),
           "PYTHONPATH": os.pathsep.join([str(KIT_ROOT), os.environ.get("PYTHONPATH", "")])}
    if missing:
        env[WEAK_ISOLATION_ENV] = "1"
        print(f"warning: weaker isolation accepted ({', '.join(missing)} missing): every result says so",
              file=sys.stderr)
    command = [sys.executable, "-m", "distributed.cli.dask_worker", "--nworkers", str(nworkers), "--nthreads", "1",
               "--no-dashboard"]
    for option, value in zip(("--tls-ca-file", "--tls-cert", "--tls-key"), tls, strict=True):
        command += [option, value] if value else []
    command += ["--scheduler-file", scheduler_file] if scheduler_file else [address or ""]
    return subprocess.call(command, env=env, cwd=Path.cwd())


def dask_worker_main(argv: list[str]) -> None:
    """``python -m autograder.grading.cluster [dask worker options]``: ``dask worker`` after the isolation check.

    What dask-jobqueue's ``worker_command`` runs: the options are ``dask worker``'s, plus
    ``--accept-weak-isolation``; ``--nworkers`` is also the number of sandboxes this host shares its memory among.
    """
    from distributed.cli import dask_worker

    accept = "--accept-weak-isolation" in argv
    argv = [a for a in argv if a != "--accept-weak-isolation"]
    missing = refuse_weak_isolation(accept)
    if missing:
        os.environ[WEAK_ISOLATION_ENV] = "1"
    if "--nworkers" in argv:
        os.environ[HOST_SLOTS_ENV] = argv[argv.index("--nworkers") + 1]
    sys.argv = ["dask worker", *argv]
    dask_worker.main()


if __name__ == "__main__":
    try:
        dask_worker_main(sys.argv[1:])
    except WeakIsolation as error:
        sys.exit(f"error: {error}")
