"""The sandboxed process: run the student's definitions, then each check's ``collect``.

Started by :mod:`autograder.grading.sandbox` as ``python -m autograder.grading.worker REQUEST``.
It reports on the file descriptor named by ``DLKIT_RESULT_FD``, one JSON line per event:

* ``{"type": "ready", "cell_errors": [...]}`` once the definitions ran;
* ``{"type": "start", "check": NAME}`` before each check;
* ``{"type": "observation", "check": NAME, "value": ...}`` or
  ``{"type": "error", "check": NAME, "kind": "missing"|"exception"|"timeout", "message": ...}``;
* ``{"type": "done"}`` at the end.

It never judges anything and never sees the secrets (test labels).
"""

from __future__ import annotations

import importlib
import json
import linecache
import os
import signal
import sys
import time
import traceback
import types
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from autograder.grading import codec
from autograder.grading.assignments import load_assignment
from autograder.grading.determinism import limit_framework_threads, seed_everything
from autograder.grading.integrity import Snapshot
from autograder.grading.isolation import hide_folders, network_is_isolated, reap_strays
from autograder.grading.spec import Check, Failure, MissingDefinition, Submission

CELL_TIMEOUT_S = 30
#: torch (and its compiler stack, which loads triton) must be imported before TensorFlow:
#: the other order segfaults at fork or at the first torch optimizer.
IMPORT_ORDER = {"torch": 0, "torch._dynamo": 1}
MAX_MESSAGE_CHARS = 1500


class CheckTimeout(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` in student code cannot swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise CheckTimeout()


def _student_traceback(error: BaseException) -> str:
    """The exception with only the frames of the student's cells (grader code stays hidden)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<cellule")]
    lines = [f"  {f.filename}, ligne {f.lineno}, dans {f.name}\n    {(f.line or '').strip()}" for f in frames]
    text = f"{type(error).__name__}: {error}"
    if lines:
        text = "\n".join(lines[-4:]) + "\n" + text
    return text[-MAX_MESSAGE_CHARS:]


def preload(modules: list[str] | tuple[str, ...]) -> None:
    """Import the frameworks an assignment needs, in an order that keeps torch and TensorFlow alive together.

    ``torch._dynamo`` comes with torch: imported later (by torchvision or an optimizer) it
    replaces ``torch.manual_seed``, which the integrity snapshot would report as tampering.
    """
    names = set(modules) | ({"torch._dynamo"} if "torch" in modules else set())
    for name in sorted(names, key=lambda n: (IMPORT_ORDER.get(n, 2), n)):
        importlib.import_module(name)


def _timed(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)


def execute_cells(cells: list[dict[str, Any]]) -> tuple[types.ModuleType, list[str]]:
    """Execute the kept definitions in a fresh module; return it and the cells that failed."""
    module = types.ModuleType("submission")
    sys.modules["submission"] = module
    errors = [cell["error"] for cell in cells if cell.get("error")]
    for cell in cells:
        source, filename = cell["source"], f"<cellule {cell['index'] + 1}>"
        if not source.strip():
            continue
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            _timed(CELL_TIMEOUT_S)
            exec(compile(source, filename, "exec"), module.__dict__)
        except CheckTimeout:
            errors.append(f"cellule {cell['index'] + 1} : trop longue à exécuter (plus de {CELL_TIMEOUT_S} s)")
        except BaseException as error:  # noqa: BLE001 - the student's code may raise anything
            errors.append(f"cellule {cell['index'] + 1} : {_student_traceback(error)}")
        finally:
            _timed(0)
    return module, errors


def _leave_if_forked(worker_pid: int) -> None:
    """A process forked by the student's code must never speak for the worker."""
    if os.getpid() != worker_pid:
        os._exit(0)


def run_check(check: Check, submission: Submission, inputs: dict[str, np.ndarray], seed: int) -> dict[str, Any]:
    """Run one check's ``collect`` under its time limit; return the message to send."""
    worker_pid = os.getpid()
    seed_everything(seed)
    try:
        _timed(check.timeout_s)
        value = check.collect(submission, inputs)
        _timed(0)
        return {"type": "observation", "check": check.name, "value": value}
    except CheckTimeout:
        return {"type": "error", "check": check.name, "kind": "timeout",
                "message": f"Temps limite dépassé ({check.timeout_s:.0f} s) : boucle infinie ou calcul trop long ?"}
    except MissingDefinition as error:
        return {"type": "error", "check": check.name, "kind": "missing", "message": str(error)}
    except Failure as failure:
        return {"type": "error", "check": check.name, "kind": "failed", "message": str(failure)}
    except NotImplementedError:
        return {"type": "error", "check": check.name, "kind": "missing",
                "message": "Fonction pas encore complétée (NotImplementedError) : "
                           "remplacez le « raise » par votre code."}
    except SystemExit:
        return {"type": "error", "check": check.name, "kind": "exception",
                "message": "Votre code a appelé sys.exit() : le test ne peut pas se terminer."}
    except BaseException as error:  # noqa: BLE001 - the student's code may raise anything
        return {"type": "error", "check": check.name, "kind": "exception",
                "message": "Votre code a levé une exception :\n" + _student_traceback(error)}
    finally:
        _leave_if_forked(worker_pid)
        _timed(0)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def _send(stream: BinaryIO, message: dict[str, Any]) -> None:
    try:
        data = codec.encode(message)
    except (TypeError, ValueError) as error:
        data = codec.encode({"type": "error", "check": message.get("check"), "kind": "exception",
                             "message": f"Résultat impossible à transmettre au correcteur : {error}"})
    stream.write(data)
    stream.flush()


def main(request_path: str) -> None:
    request = json.loads(Path(request_path).read_text())
    results = os.fdopen(int(os.environ["DLKIT_RESULT_FD"]), "wb", buffering=0)
    signal.signal(signal.SIGALRM, _on_alarm)
    preload(request["preload"])
    limit_framework_threads(request["threads"])
    assignment = load_assignment(request["assignment"], request["include_hidden"], Path(request["graders_dir"]))
    inputs: dict[str, np.ndarray] = {}
    if request.get("inputs"):
        with np.load(request["inputs"], allow_pickle=False) as archive:
            inputs = {key: archive[key] for key in archive.files}
    isolation = {"network": network_is_isolated(),
                 "files": hide_folders(request["hide"], request["parent_mount_namespace"])}
    snapshot = Snapshot()
    namespace, cell_errors = execute_cells(request["cells"])
    submission = Submission(namespace.__dict__, cell_errors)
    _send(results, {"type": "ready", "cell_errors": cell_errors, "isolation": isolation})
    for name in request["checks"]:
        check = assignment.check(name)
        _send(results, {"type": "start", "check": name, "time": time.time()})
        changes = snapshot.changes()
        message = run_check(check, submission, inputs, request["seed"]) if not changes else None
        changes = changes or snapshot.changes()
        if changes:
            _send(results, {"type": "error", "check": name, "kind": "tampering",
                            "message": "Modification du correcteur ou des bibliothèques détectée ("
                                       + ", ".join(changes) + ") : test annulé."})
            return  # this process is compromised: the sandbox restarts a fresh one for the rest
        _send(results, message)
        if reap_strays():
            return  # the student's code started processes: go on in a fresh sandbox
        snapshot.refresh()
    _send(results, {"type": "done"})


if __name__ == "__main__":
    main(sys.argv[1])
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (framework threads can make it slow)
