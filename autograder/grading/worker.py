"""The sandboxed process: run the student's definitions, then answer the grading process's requests.

Started by :mod:`autograder.grading.sandbox` (``python -m autograder.grading.worker SETUP``,
or forked by a pre-started :mod:`~autograder.grading.zygote`). It reads one JSON request per
line on the file descriptor ``DLKIT_REQUEST_FD`` and reports on ``DLKIT_RESULT_FD``:

* ``{"type": "ready", "cell_errors": [...], "isolation": {...}}`` once the definitions ran;
* per request ``{"id": N, "call": FUNCTION | "probe": "module:function", "args", "kwargs",
  "timeout_s"}``: ``{"type": "start", "id": N}`` then ``{"type": "reply", "id": N, "value": ...}``
  or ``{"type": "error", "id": N, "kind": "missing"|"exception"|"timeout"|"failed"|"tampering",
  "message": ...}``; ``"last": true`` when the process ends after this answer (its state is not trusted);
  ``"called": [...]``, the student's functions that ran, for ``"trace": true`` requests (mutation benchmark);
  ``"profile": {...}``, where the request's time went, for ``"profile": true`` requests
  (:mod:`autograder.grading.profiling`, ``benchmarks.grading_profile``).

It never judges anything: the tests run in the grading process and send here only what the
student's code needs (inputs, never labels or expected values). A probe is a sandbox-side
helper named by its module path; only the kit's and the assignment's ``probes`` modules,
imported before the student's code runs, can be named.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import linecache
import os
import signal
import sys
import threading
import traceback
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from autograder.grading import codec, profiling
from autograder.grading.assignments import probe_module_names
from autograder.grading.determinism import limit_framework_threads, seed_everything
from autograder.grading.integrity import Snapshot
from autograder.grading.isolation import loopback_up, network_is_isolated, reap_strays
from autograder.grading.spec import Failure, MissingDefinition, Submission

CELL_TIMEOUT_S = 30
#: torch (and its compiler stack, which loads triton) must be imported before TensorFlow:
#: the other order segfaults at fork or at the first torch optimizer.
IMPORT_ORDER = {"torch": 0, "torch._dynamo": 1}
MAX_MESSAGE_CHARS = 1500


class CheckTimeout(BaseException):
    """Raised by the alarm; a BaseException so that ``except Exception`` in student code cannot swallow it."""


def on_alarm(signum: int, frame: object) -> None:
    """The SIGALRM handler that turns a request's time limit into :class:`CheckTimeout`."""
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


def probe_allowed(path: str, package: str | None) -> bool:
    """Only the kit's helpers and the assignment's probe modules may run next to the student's code."""
    module = path.partition(":")[0]
    return module.startswith("autograder.probes") or (package is not None and module in probe_module_names(package))


def resolve(path: str) -> Callable[..., Any]:
    """``"package.module:function"`` among the modules already imported (nothing new is imported)."""
    module_name, _, qualname = path.partition(":")
    target: Any = sys.modules[module_name]
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _recorder(called: set[str]) -> Callable[..., None]:
    """A profile hook recording the names of the student's functions that run (``"trace": true`` requests)."""

    def record(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith("<cellule"):
            called.add(frame.f_code.co_name)

    return record


def answer(request: dict[str, Any], submission: Submission, package: str | None, timed: bool = True,
           profile: profiling.WorkerProfile | None = None) -> dict[str, Any]:
    """Run one request (a student function or a probe) under its time limit; return the message to send.

    Used by the sandbox's request loop and, in a notebook's kernel, by
    :class:`autograder.grading.student.KernelBackend` (``timed`` only where this module's alarm
    handler is installed). ``profile``: measure where the request's time goes (profiled requests only).
    """
    if profile is None:
        return _answer(request, submission, package, timed)
    with profile.answering():
        return _answer(request, submission, package, timed, profile)


def _answer(request: dict[str, Any], submission: Submission, package: str | None, timed: bool,
            profile: profiling.WorkerProfile | None = None) -> dict[str, Any]:
    ident = request.get("id")
    timeout = float(request.get("timeout_s") or 60)
    seed_everything(int(request.get("seed", 0)))
    try:
        if request.get("probe"):
            if not probe_allowed(request["probe"], package):
                raise PermissionError(f"probe {request['probe']} not allowed")
            function = resolve(request["probe"])
            args = [submission if profile is None else profile.submission(submission), *request.get("args", [])]
        else:
            function, args = submission.function(request["call"]), list(request.get("args", []))
            function = function if profile is None else profile.student(function)
        called: set[str] = set()
        if request.get("trace"):
            sys.setprofile(_recorder(called))
            threading.setprofile(_recorder(called))  # threads the request starts (a served web application)
        if timed:
            _timed(timeout)
        try:
            value = function(*args, **dict(request.get("kwargs", {})))
        finally:
            if timed:
                _timed(0)
            sys.setprofile(None)
            threading.setprofile(None)
        reply = {"type": "reply", "id": ident, "value": value}
        return {**reply, "called": sorted(called)} if request.get("trace") else reply
    except CheckTimeout:
        return {"type": "error", "id": ident, "kind": "timeout",
                "message": f"Temps limite dépassé ({timeout:.0f} s) : boucle infinie ou calcul trop long ?"}
    except MissingDefinition as error:
        return {"type": "error", "id": ident, "kind": "missing", "message": str(error)}
    except Failure as failure:
        return {"type": "error", "id": ident, "kind": "failed", "message": str(failure)}
    except NotImplementedError:
        return {"type": "error", "id": ident, "kind": "missing",
                "message": "Fonction pas encore complétée (NotImplementedError) : "
                           "remplacez le « raise » par votre code."}
    except SystemExit:
        return {"type": "error", "id": ident, "kind": "exception",
                "message": "Votre code a appelé sys.exit() : le test ne peut pas se terminer."}
    except BaseException as error:  # noqa: BLE001 - the student's code may raise anything
        return {"type": "error", "id": ident, "kind": "exception",
                "message": "Votre code a levé une exception :\n" + _student_traceback(error)}
    finally:
        if timed:
            _timed(0)
        if "matplotlib.pyplot" in sys.modules:
            if profile is not None:
                profile.figures = len(sys.modules["matplotlib.pyplot"].get_fignums())
            sys.modules["matplotlib.pyplot"].close("all")


def encoded(message: dict[str, Any]) -> bytes:
    """The message as one codec line; a value that cannot travel becomes the student's error."""
    try:
        return codec.encode(message)
    except (TypeError, ValueError, RecursionError) as error:
        return codec.encode({"type": "error", "id": message.get("id"), "kind": "exception",
                             "message": f"Résultat impossible à transmettre au correcteur : {error}"})


def _encoded_in_time(message: dict[str, Any], timeout: float) -> bytes:
    """The answer encoded within the request's time limit (a value can take minutes to serialise)."""
    try:
        _timed(timeout)
        return encoded(message)
    except CheckTimeout:
        return encoded({"type": "error", "id": message.get("id"), "kind": "timeout",
                        "message": f"Temps limite dépassé ({timeout:.0f} s) : le résultat renvoyé est trop long "
                                   "à transmettre au correcteur."})
    finally:
        _timed(0)


def _send(stream: BinaryIO, message: dict[str, Any]) -> None:
    stream.write(encoded(message))
    stream.flush()


def _requests(stream: BinaryIO):
    """Request lines from the grading process, until it closes the pipe."""
    for line in stream:
        try:
            yield codec.decode(line)
        except codec.CodecError:
            return


def main(setup_path: str) -> None:
    setup = json.loads(Path(setup_path).read_text())
    results = os.fdopen(int(os.environ["DLKIT_RESULT_FD"]), "wb", buffering=0)
    requests = os.fdopen(int(os.environ["DLKIT_REQUEST_FD"]), "rb")
    signal.signal(signal.SIGALRM, on_alarm)
    preload(setup["preload"])
    limit_framework_threads(setup["threads"])
    if setup["graders_dir"] not in sys.path:
        sys.path.insert(0, setup["graders_dir"])
    for module in setup["probe_modules"]:
        importlib.import_module(module)
    isolated = network_is_isolated()
    isolation = {"network": isolated, "loopback": isolated and loopback_up()}
    snapshot = Snapshot()
    namespace, cell_errors = execute_cells(setup["cells"])
    submission = Submission(namespace.__dict__, cell_errors)
    _send(results, {"type": "ready", "cell_errors": cell_errors, "isolation": isolation})
    worker_pid = os.getpid()
    threads = set(threading.enumerate())
    first = True
    for request in _requests(requests):
        profile = profiling.WorkerProfile(first) if request.get("profile") else None
        first = False
        _send(results, {"type": "start", "id": request.get("id")})
        changes = snapshot.changes()
        message = answer(request, submission, setup["package"], profile=profile) if not changes else None
        if os.getpid() != worker_pid:
            os._exit(0)  # a process forked by the student's code never speaks for the worker
        changes = changes or snapshot.changes()
        if changes:
            _send(results, {"type": "error", "id": request.get("id"), "kind": "tampering",
                            "message": "Modification du correcteur ou des bibliothèques détectée ("
                                       + ", ".join(changes) + ") : test annulé."})
            return  # this process is compromised: the sandbox restarts a fresh one for the rest
        with profile.encoding() if profile is not None else contextlib.nullcontext():
            data = _encoded_in_time(message, float(request.get("timeout_s") or 60))
        strays = reap_strays(setup.get("confined", False))  # processes the student's code started
        if profile is not None:
            data = profile.attach(data)
        if strays or set(threading.enumerate()) - threads:  # or threads still running: the next requests
            results.write(data[:-2] + b', "last": true}\n')  # go to a fresh sandbox
            return
        results.write(data)
        snapshot.refresh()


if __name__ == "__main__":
    main(sys.argv[1])
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (framework threads can make it slow)
