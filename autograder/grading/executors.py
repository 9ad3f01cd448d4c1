"""Where tasks run: grading processes on this host (``--jobs``), or a Dask cluster (``--scheduler``).

Both executors offer the same three calls to :func:`autograder.grading.batch.grade_many`:
``submit(index, task, avoid)``, ``next_outcome()`` (blocking: the index and :class:`Outcome` of
a finished task) and ``close()``. The fault policy lives in ``grade_many``, once for both.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from autograder.grading.tasks import Outcome, Task, run_task


def with_lookahead(task: Task, waiting: list[Task], slots: int) -> Task:
    """``task``, starting its successor's jail ahead only if this process surely grades one next.

    A grading process takes the next waiting task when it is done: with ``slots`` processes, it gets one of
    the same assignment for sure only when at least ``slots`` of them are waiting. A jail started for nobody
    costs a framework import (4-6 CPU seconds) while the last submissions are graded.
    """
    same = sum(1 for other in waiting if other.assignment == task.assignment)
    return replace(task, ahead=task.assignment is not None and same >= slots)


class SchedulerLost(RuntimeError):
    """The cluster's scheduler cannot be reached any more: the batch stops (re-running resumes)."""


class LocalExecutor:
    """``slots`` grading processes on this host, each in its own single-process pool.

    One pool per process: a process that dies (killed, out of memory) breaks only its pool, so only
    the task it was running is lost, and that task is known exactly; the pool is replaced.
    """

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.context = multiprocessing.get_context("spawn")
        self.pools = [self._pool() for _ in range(slots)]
        self.free = list(range(slots))
        self.waiting: list[tuple[int, Task, str | None]] = []
        self.outcomes: queue.Queue[tuple[int, Outcome]] = queue.Queue()
        self.lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=self.context)

    def submit(self, index: int, task: Task, avoid: str | None = None) -> None:
        with self.lock:
            self.waiting.append((index, task, avoid))
            self._dispatch()

    def _dispatch(self) -> None:
        while self.waiting and self.free:
            index, task, avoid = self.waiting.pop(0)
            slot = next((s for s in self.free if f"slot {s}" != avoid), self.free[0])
            self.free.remove(slot)
            task = with_lookahead(task, [waiting for _, waiting, _ in self.waiting], self.slots)
            future = self.pools[slot].submit(run_task, task, self.slots)
            future.add_done_callback(lambda done, i=index, s=slot: self._done(i, s, done))

    def _done(self, index: int, slot: int, future: Future) -> None:
        try:
            outcome = future.result()
        except BrokenProcessPool as error:
            outcome = Outcome(None, f"processus de correction perdu ({error})", f"slot {slot}")
            with self.lock:
                self.pools[slot].shutdown(wait=False, cancel_futures=True)
                self.pools[slot] = self._pool()
        except Exception as error:  # noqa: BLE001 - e.g. the result could not travel back
            outcome = Outcome(None, f"{type(error).__name__}: {error}", f"slot {slot}")
        if outcome.where and outcome.result is None:
            outcome.where = f"slot {slot}"
        with self.lock:
            self.free.append(slot)
            self._dispatch()
        self.outcomes.put((index, outcome))

    def next_outcome(self) -> tuple[int, Outcome]:
        return self.outcomes.get()

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)


class InlineExecutor:
    """One submission at a time in this very process (``--jobs 1``): no process start at all.

    Each task is graded when its outcome is asked for, so that the batch stores every result as
    soon as it is known (an interrupted batch keeps what finished).
    """

    def __init__(self) -> None:
        self.queued: list[tuple[int, Task]] = []

    def submit(self, index: int, task: Task, avoid: str | None = None) -> None:
        self.queued.append((index, task))

    def next_outcome(self) -> tuple[int, Outcome]:
        index, task = self.queued.pop(0)
        return index, run_task(with_lookahead(task, [waiting for _, waiting in self.queued], 1), 1)

    def close(self) -> None:
        pass
