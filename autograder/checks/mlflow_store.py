"""MLflow tracking stores written by the student's code, read back by the grader with MLflow's own client.

The grader gives the sandbox a folder of its own (pytest's ``tmp_path``). Sandbox side, a probe
runs the student's tracking function with :func:`tracking_uri` of that folder (a real SQLite
store) inside :func:`fresh_tracking` (the folder as working directory, so that MLflow's default
``./mlruns`` artifact root lands there too). Grading side, once the request is answered,
:func:`read_store` reads every experiment, run, parameter, metric history and logged model with
:class:`mlflow.MlflowClient`, as plain data; the tests judge that data with the ``expect_…``
helpers. A logged model is reloaded and used only in the sandbox
(:func:`logged_model_predictions`): its files are the student's.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks.expect import expect_equal, expect_true, fail
from autograder.grading.spec import Failure

STORE_FILE = "grader-store.db"  # not MLflow's usual mlflow.db: a hard-coded location is found out
MLMODEL_FILE = "MLmodel"


def tracking_uri(folder: str | Path) -> str:
    """The SQLite tracking URI of the store in ``folder`` (the URI the student's function receives)."""
    return f"sqlite:///{Path(folder).resolve() / STORE_FILE}"


def _forget_tracking_state() -> None:
    """End the runs left open (as ``KILLED``, in the store they belong to), then drop the tracking URI and the
    active experiment that earlier requests of this process set (MLflow keeps them per process)."""
    import mlflow
    from mlflow.tracking import fluent

    while mlflow.active_run() is not None:
        mlflow.end_run("KILLED")
    mlflow.set_tracking_uri(None)
    fluent._active_experiment_id = None


@contextlib.contextmanager
def fresh_tracking(folder: str | Path) -> Iterator[None]:
    """Sandbox side: run from ``folder`` with MLflow's process-wide state as new; restore the caller's after.

    No tracking URI is set (code that ignores the URI it receives writes MLflow's default store in
    ``folder``, which :func:`read_store` names), no experiment is active, and a run the student's code
    leaves open is ended as ``KILLED`` afterwards, so that :func:`expect_finished` sees it. In a
    notebook's kernel (public tests) the student's own tracking URI and experiment are back afterwards.
    """
    import mlflow
    from mlflow.tracking import fluent

    previous = os.getcwd(), mlflow.get_tracking_uri(), fluent._active_experiment_id
    os.chdir(folder)
    _forget_tracking_state()
    try:
        yield
    finally:
        _forget_tracking_state()
        os.chdir(previous[0])
        mlflow.set_tracking_uri(previous[1])
        fluent._active_experiment_id = previous[2]


def logged_model_predictions(folder: str | Path, model_uri: str, inputs: np.ndarray) -> np.ndarray:
    """Sandbox side: the model at ``model_uri`` reloaded with ``mlflow.keras.load_model``; its outputs."""
    import mlflow
    import mlflow.keras

    with fresh_tracking(folder):
        mlflow.set_tracking_uri(tracking_uri(folder))
        model = mlflow.keras.load_model(model_uri)
    return np.asarray(model.predict(inputs, verbose=0), dtype=np.float32)


@dataclass(frozen=True)
class LoggedModel:
    """A model logged with ``mlflow.<flavour>.log_model`` (MLflow 3's logged models).

    Attributes:
        name: the ``name=`` it was logged under (``mnist-model``).
        uri: ``models:/<model id>``, to reload it.
        flavors: the flavours its ``MLmodel`` file declares (``keras``, ``python_function``).
    """

    name: str
    uri: str
    flavors: tuple[str, ...]


@dataclass(frozen=True)
class TrackedRun:
    """One MLflow run as plain data.

    Attributes:
        experiment: its experiment's name (``Default`` for the default one).
        name: the run name (MLflow draws one when the code gives none).
        status: ``FINISHED``, ``RUNNING`` (never ended), ``FAILED``.
        params: parameters, as MLflow stores them (strings).
        metrics: each metric's last value.
        history: each metric's values in logging order, as ``[(step, value), ...]``.
        models: the models logged from this run.
        artifact_uri: where the run's artifacts are (``file://…/artifacts`` for a local store).
        artifacts: the paths of its top-level artifacts (``architecture.json``), as MLflow lists them.
    """

    run_id: str
    experiment: str
    name: str
    status: str
    params: dict[str, str]
    metrics: dict[str, float]
    history: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    models: tuple[LoggedModel, ...] = ()
    artifact_uri: str = ""
    artifacts: tuple[str, ...] = ()


def local_path(uri: str, folder: Path) -> Path | None:
    """The file or folder a student's ``file:`` URI names, decoded as MLflow decodes it (``%2E%2E`` is ``..``),
    links followed, when it lies inside the grader's ``folder``; None otherwise (another scheme, outside)."""
    from mlflow.utils.file_utils import local_file_uri_to_path

    if "://" in uri and not uri.startswith("file:"):
        return None
    try:
        path = Path(local_file_uri_to_path(uri)).resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    return path if path == folder or folder in path.parents else None


def read_student_file(path: Path, limit: int) -> str | None:
    """At most ``limit`` characters of the regular file ``path`` (UTF-8), opened without following a last link
    nor waiting on a FIFO; None when it is anything else or unreadable. The student's processes are gone by
    then (the sandbox kills them after each request), so nothing swaps the path after the check."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        try:
            return stream.read(limit * 4).decode("utf-8")[:limit]
        except (OSError, UnicodeDecodeError):
            return None


def _flavors(artifact_location: str, folder: Path) -> tuple[str, ...]:
    """The flavours of a logged model's ``MLmodel`` file, read only when it lies in the grader's folder."""
    import yaml

    location = local_path(artifact_location, folder)
    text = read_student_file(location / MLMODEL_FILE, 100_000) if location is not None else None
    if text is None:
        return ()
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return ()
    flavors = document.get("flavors") if isinstance(document, dict) else None
    return tuple(sorted(str(name) for name in flavors)) if isinstance(flavors, dict) else ()


def read_store(folder: str | Path) -> list[TrackedRun]:
    """Every run of the store in ``folder``, read with MLflow's client (grading side).

    Raises:
        Failure: no store was created there, or MLflow cannot read it (with what was found instead).
    """
    folder = Path(folder).resolve()
    store = folder / STORE_FILE
    if not store.is_file():
        others = sorted(p.name for p in folder.iterdir())
        fail("Store MLflow de l'emplacement reçu", f"le store {STORE_FILE} créé à l'adresse tracking_uri reçue",
             f"aucun ; dans le dossier : {others or 'rien'}",
             "Appelez mlflow.set_tracking_uri(tracking_uri) avec l'argument reçu, jamais une adresse écrite en dur.")
    with tempfile.TemporaryDirectory(prefix="dlkit-store-") as private:
        copy = Path(private) / STORE_FILE
        checked_copy(store, copy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # SQLAlchemy's, about MLflow's own queries
            return _read_runs(copy.parent, folder)


MAX_STORE_BYTES = 64 * 2**20
#: Rows a store may hold in each table (the graders log tens of runs of tens of epochs), and SQLite's steps to count
#: them: a view of a million rows, or a recursive one, is refused before MLflow reads anything.
MAX_TABLE_ROWS, MAX_SQLITE_STEPS = 200_000, 50_000_000


def checked_copy(store: Path, copy: Path) -> None:
    """Copy the student's SQLite store privately (no link followed, at most :data:`MAX_STORE_BYTES`), then check
    that it is a plain MLflow store of bounded size before MLflow opens it.

    Raises:
        Failure: a link, a store too large, a table that is a view, or too many rows (with what was found).
    """
    import sqlite3

    try:
        source = os.open(store, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise Failure(f"Le store MLflow reçu n'est pas un fichier ordinaire ({error.strerror}).") from error
    with os.fdopen(source, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise Failure("Le store MLflow reçu n'est pas un fichier ordinaire.")
        data = stream.read(MAX_STORE_BYTES + 1)
    if len(data) > MAX_STORE_BYTES:
        raise Failure(f"Le store MLflow reçu dépasse {MAX_STORE_BYTES // 2**20} Mo : il n'est pas lu.")
    copy.write_bytes(data)
    connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    steps = [0]

    def budget() -> int:
        steps[0] += 1
        return int(steps[0] > MAX_SQLITE_STEPS // 1000)

    connection.set_progress_handler(budget, 1000)
    try:
        views = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
        if views:
            raise Failure(f"Le store MLflow reçu contient des vues ({', '.join(views[:5])}) : ce n'est pas un "
                          "store écrit par MLflow ; il n'est pas lu.")
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            (rows,) = connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            if rows > MAX_TABLE_ROWS:
                raise Failure(f"Le store MLflow reçu a {rows} lignes dans la table {table} (au plus "
                              f"{MAX_TABLE_ROWS}) : il n'est pas lu.")
    except sqlite3.DatabaseError as error:
        raise Failure(f"Le store MLflow reçu n'est pas lisible ({error}) ; trop volumineux ou corrompu.") from error
    finally:
        connection.close()


MAX_RUNS, MAX_METRICS = 200, 100  # read at most: a store is the student's file, it may be huge


def _read_runs(store_folder: Path, folder: Path) -> list[TrackedRun]:
    """The runs of the store in ``store_folder`` (the private copy); logged models' files are read in ``folder``."""
    import mlflow

    try:
        client = mlflow.MlflowClient(tracking_uri(store_folder))
        runs = []
        for experiment in client.search_experiments(max_results=MAX_RUNS):
            models: dict[str, list[LoggedModel]] = {}
            for model in client.search_logged_models(experiment_ids=[experiment.experiment_id],
                                                     max_results=MAX_RUNS):
                models.setdefault(model.source_run_id, []).append(
                    LoggedModel(model.name, model.model_uri, _flavors(model.artifact_location, folder)))
            for run in client.search_runs([experiment.experiment_id], max_results=MAX_RUNS):
                history = {key: [(int(m.step), float(m.value))
                                 for m in sorted(client.get_metric_history(run.info.run_id, key),
                                                 key=lambda m: (m.timestamp, m.step))]
                           for key in sorted(run.data.metrics)[:MAX_METRICS]}
                artifacts = tuple(sorted(a.path for a in client.list_artifacts(run.info.run_id)[:MAX_RUNS])
                                  if local_path(run.info.artifact_uri or "", folder) is not None else ())
                runs.append(TrackedRun(run.info.run_id, experiment.name, run.info.run_name or "", run.info.status,
                                       dict(run.data.params), {k: float(v) for k, v in run.data.metrics.items()},
                                       history, tuple(models.get(run.info.run_id, ())), run.info.artifact_uri or "",
                                       artifacts))
    except Exception as error:  # the store is the student's file: any failure to read it is theirs
        raise Failure(f"Le store MLflow reçu n'est pas lisible par MLflow ({type(error).__name__}) : "
                      f"{str(error)[:300]}") from error
    return sorted(runs, key=lambda run: (run.experiment, run.name))


MAX_ARTIFACT_CHARS = 1_000_000


def artifact_text(folder: str | Path, run: TrackedRun, path: str) -> str | None:
    """The text of the run's artifact ``path`` (grading side), or None when it is missing, unreadable, or lies
    outside the grader's ``folder`` (links followed: the files are the student's)."""
    folder = Path(folder).resolve()
    location = local_path(run.artifact_uri, folder)
    file = (location / path).resolve() if location is not None else None
    if file is None or folder not in file.parents:
        return None
    return read_student_file(file, MAX_ARTIFACT_CHARS)


def describe_runs(runs: list[TrackedRun]) -> list[str]:
    """``experiment / run name`` of each run, for feedback."""
    return [f"{run.experiment} / {run.name}" for run in runs]


def tracked_run(runs: list[TrackedRun], experiment: str) -> TrackedRun:
    """The run a tracking function logged, wherever the student logged it: the only run of ``experiment`` or,
    when that experiment has none, the only run of the store.

    Content checks (parameters, metrics, artifacts) judge the run found here; where it was logged is
    :func:`expect_single_run`'s point alone, so a run logged in the wrong experiment costs one check, not all."""
    candidates = [run for run in runs if run.experiment == experiment] or runs
    if len(candidates) != 1:
        fail(f"Runs MLflow enregistrés (un seul attendu, dans l'expérience « {experiment} »)",
             [f"{experiment} / <un run>"], describe_runs(runs))
    return candidates[0]


def expect_single_run(runs: list[TrackedRun], experiment: str) -> TrackedRun:
    """Exactly one run, in ``experiment``: the run a tracking function logs per call."""
    run = tracked_run(runs, experiment)
    where = ("n'appelez pas mlflow.set_experiment : le run va dans l'expérience par défaut du store reçu"
             if experiment == "Default" else f'appelez mlflow.set_experiment("{experiment}") avant mlflow.start_run()')
    expect_equal(f"Expérience du run « {run.name} »", experiment, run.experiment,
                 f"Le run est bien enregistré, mais dans l'expérience « {run.experiment} » : {where}.")
    if len(runs) != 1:
        fail(f"Runs MLflow enregistrés (un seul attendu, dans l'expérience « {experiment} »)",
             [f"{experiment} / <un run>"], describe_runs(runs))
    return run


def expect_named_runs(runs: list[TrackedRun], experiment: str, names: list[str]) -> dict[str, TrackedRun]:
    """One run per name in ``experiment`` (and nothing else there): ``{name: run}``."""
    inside = sorted(run.name for run in runs if run.experiment == experiment)
    if inside != sorted(names):
        fail(f"Runs de l'expérience MLflow « {experiment} »", sorted(names), inside or describe_runs(runs),
             "Un run par essai : mlflow.set_experiment(...), puis mlflow.start_run(run_name=...).")
    return {run.name: run for run in runs if run.experiment == experiment}


def expect_finished(run: TrackedRun) -> None:
    """The run ended normally (``with mlflow.start_run():`` ends it)."""
    expect_equal(f"Statut du run « {run.name} »", "FINISHED", run.status,
                 "Terminez le run : utilisez « with mlflow.start_run(): » (ou mlflow.end_run()).")


def expect_params(run: TrackedRun, expected: dict[str, Any]) -> None:
    """The run's parameters are exactly ``expected`` (compared as MLflow stores them: strings)."""
    want = {key: str(value) for key, value in expected.items()}
    if run.params != want:
        fail(f"Paramètres du run « {run.name} »", want, run.params)


def expect_metrics(run: TrackedRun, expected: dict[str, float], tolerance: float = 1e-4) -> None:
    """The run has these metrics (last values within ``tolerance``); other metrics may be present."""
    missing = sorted(set(expected) - set(run.metrics))
    if missing:
        fail(f"Métriques du run « {run.name} »", sorted(expected), sorted(run.metrics))
    for key, value in expected.items():
        if not abs(run.metrics[key] - value) <= tolerance:
            fail(f"Métrique « {key} » du run « {run.name} »", round(value, 6), round(run.metrics[key], 6))


def expect_steps(run: TrackedRun, metric: str, values: list[float], tolerance: float = 1e-4) -> None:
    """``metric`` was logged once per epoch, with ``step`` = epoch (0, 1, …) and the given values."""
    history = run.history.get(metric)
    expect_true(history is not None, f"Métrique par époque « {metric} » absente du run « {run.name} ».")
    steps = [step for step, _ in history]
    expect_equal(f"Étapes (step) de « {metric} » dans le run « {run.name} »", list(range(len(values))), steps,
                 "Une valeur par époque : mlflow.log_metric(nom, valeur, step=epoch), epoch de 0 à epochs-1.")
    for epoch, ((_, found), want) in enumerate(zip(history, values, strict=True)):
        if not abs(found - want) <= tolerance:
            fail(f"« {metric} » à l'époque {epoch} (run « {run.name} »)", round(want, 6), round(found, 6))


def expect_logged_model(run: TrackedRun, name: str, flavor: str) -> LoggedModel:
    """A model logged from ``run`` under ``name`` with ``flavor`` among its flavours."""
    found = {model.name: model for model in run.models}
    if name not in found:
        fail(f"Modèles enregistrés par le run « {run.name} »", [name], sorted(found),
             f"mlflow.{flavor}.log_model(model, name=\"{name}\").")
    model = found[name]
    if flavor not in model.flavors:
        fail(f"Saveurs (flavors) du modèle « {name} »", f"{flavor} parmi elles", list(model.flavors),
             f"Utilisez la saveur Keras de MLflow : mlflow.{flavor}.log_model.")
    return model
