"""MLflow tracking stores written by the student's code, read back by the grader with MLflow's own client.

The grader gives the sandbox a folder of its own (pytest's ``tmp_path``). Sandbox side, a probe
runs the student's tracking function with :func:`tracking_uri` of that folder (a real SQLite
store) inside :func:`fresh_tracking` (the folder as working directory, so that MLflow's default
``./mlruns`` artifact root lands there too). Grading side, once the request is answered,
:func:`read_store` reads every experiment, run, parameter, metric history and logged model with
:class:`mlflow.MlflowClient`, as plain data; the tests judge that data with the ``expect_…``
helpers. A logged model is reloaded and used only in the sandbox
(:func:`logged_model_predictions`): its files are the student's.

A new SQLite store costs MLflow all its schema migrations (1 to 2 s of CPU), so the grading side, before the
request, puts in the folder a copy of a pristine store (:func:`prepare_store`): MLflow's tables migrated, no
experiment, no run. That template is made once per MLflow version by the grading side (never the sandbox) in
the kit's data folder, which the jail sees read-only, and validated once per grading process; its bytes are kept
in memory. A copy MLflow never opened is still byte for byte the template: :func:`read_store` takes it as no store
at all, as before, so a student whose code ignores the URI gets the same feedback. Without the kit's data folder,
or when the template cannot be made, nothing is copied and MLflow creates the store as before.
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
from autograder.data.locations import kit_data_home
from autograder.grading.spec import Failure

STORE_FILE = "grader-store.db"  # not MLflow's usual mlflow.db: a hard-coded location is found out
MLMODEL_FILE = "MLmodel"
TEMPLATE_FOLDER = "mlflow"  # in the kit's data folder
MAX_TEMPLATE_BYTES = 16 * 2**20


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


def template_path() -> Path | None:
    """Where the pristine store of the installed MLflow lies (``<kit data>/mlflow/empty-store-<version>.db``); None
    without the kit's data folder."""
    from importlib.metadata import version

    home = kit_data_home()
    return home / TEMPLATE_FOLDER / f"empty-store-{version('mlflow')}.db" if home.is_dir() else None


_template: list[bytes | None] = []  # this process's validated template (empty: not looked for yet)


def empty_store() -> bytes | None:
    """Grading side: the bytes of a pristine store (MLflow's tables migrated, no experiment), the template made
    once per MLflow version (:func:`template_path`), read and validated once per process; None without the kit's
    data folder or when it cannot be made (each store is then migrated by MLflow, as before)."""
    if not _template:
        data = None
        try:
            path = template_path()
            if path is not None:
                data = _read_template(path) or _make_template(path)
        except Exception as error:  # noqa: BLE001 - only an optimisation: MLflow makes each store as before
            warnings.warn(f"no pristine MLflow store ({type(error).__name__}: {error}); each store is migrated",
                          RuntimeWarning, stacklevel=2)
        _template.append(data)
    return _template[0]


def _read_template(path: Path) -> bytes | None:
    """The template's bytes when it is a valid pristine store; None when it is missing, a link, or invalid."""
    data = regular_file_bytes(path, MAX_TEMPLATE_BYTES + 1)
    if data is None:
        return None
    with tempfile.TemporaryDirectory(prefix="dlkit-template-") as private:
        copy = Path(private) / STORE_FILE
        copy.write_bytes(data)
        return data if len(data) <= MAX_TEMPLATE_BYTES and _pristine(copy) else None


def _pristine(store: Path) -> bool:
    """``store`` is a sound SQLite file holding MLflow's current schema and no experiment nor run."""
    import sqlite3

    import sqlalchemy
    from mlflow.store.db.utils import _all_tables_exist, _verify_schema

    try:
        connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                return False
            for table in ("experiments", "runs"):
                if connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]:
                    return False
            if foreign_objects(connection):
                return False
        finally:
            connection.close()
        engine = sqlalchemy.create_engine(f"sqlite:///{store}")
        try:
            if not _all_tables_exist(engine):  # MLflow would migrate it again
                return False
            _verify_schema(engine)  # raises unless the schema is this MLflow version's
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - any doubt: the template is made again
        return False
    return True


def _make_template(path: Path) -> bytes:
    """Make the template at ``path``: MLflow's migrations on a private file of the same folder, checked, made
    read-only, then renamed into place (atomic: two gradings that make it at once each put a whole one)."""
    import logging

    import sqlalchemy
    from mlflow.store.db.utils import _initialize_tables

    path.parent.mkdir(exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=".empty-store-", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    temporary = Path(name)
    loggers = [logging.getLogger(n) for n in ("mlflow.store.db.utils", "alembic")]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.WARNING)  # "Creating initial MLflow database tables...": not the student's
        engine = sqlalchemy.create_engine(f"sqlite:///{temporary}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                _initialize_tables(engine)
        finally:
            engine.dispose()
        if not _pristine(temporary):
            raise RuntimeError("the migrated store is not a pristine MLflow store")
        data = temporary.read_bytes()
        temporary.chmod(0o444)
        os.replace(temporary, path)
        return data
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        temporary.unlink(missing_ok=True)


def prepare_store(folder: str | Path) -> None:
    """Grading side, before the request that logs to ``folder``'s store: a copy of the pristine store there (none
    when a file is there already, or without a template)."""
    data = empty_store()
    if data is None:
        return
    from autograder.grading import bwrap

    store = Path(folder) / STORE_FILE
    try:
        descriptor = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return
    except OSError:  # a disk the student's code filled: no copy, MLflow makes the store in the sandbox as before
        return
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        bwrap.hand_over(store)  # the sandbox's user writes it (as its folder is handed over)
    except OSError:  # never a grader's error: a partial copy is removed, and MLflow makes the store itself
        store.unlink(missing_ok=True)


def untouched(store: Path) -> bool:
    """``store`` is still, byte for byte, the pristine copy :func:`prepare_store` put there: MLflow never opened it
    (opening a store writes its ``Default`` experiment). A link is not (it is refused when read)."""
    data = _template[0] if _template else None
    return data is not None and regular_file_bytes(store, len(data) + 1) == data


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


def regular_file_bytes(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the regular file ``path``, opened without following a last link nor waiting on a
    FIFO; None when it is anything else or unreadable. The student's processes are gone by then (the sandbox kills
    them after each request), so nothing swaps the path after the check."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        try:
            return stream.read(limit)
        except OSError:
            return None


def read_student_file(path: Path, limit: int) -> str | None:
    """At most ``limit`` characters of the regular file ``path`` (UTF-8, read as :func:`regular_file_bytes`
    reads); None when it is anything else, unreadable, or not UTF-8."""
    data = regular_file_bytes(path, limit * 4)
    try:
        return data.decode("utf-8")[:limit] if data is not None else None
    except UnicodeDecodeError:
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
        Failure: no store was created there (or the pristine copy is untouched: MLflow never opened it), or MLflow
            cannot read it (with what was found instead).
    """
    folder = Path(folder).resolve()
    store = folder / STORE_FILE
    pristine = untouched(store)
    if pristine or not store.is_file():
        others = sorted(p.name for p in folder.iterdir() if not (pristine and p.name == STORE_FILE))
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


#: The triggers MLflow's own migrations create: any other one in a store is not MLflow's.
MLFLOW_TRIGGERS = frozenset({"prevent_secrets_aad_mutation"})


def foreign_objects(connection: Any) -> list[str]:
    """The views and the triggers of an SQLite connection's database that MLflow does not make (``type name``).

    A trigger runs SQL of its own whenever MLflow writes (opening a store writes its ``Default`` experiment): a
    student's store could so make the grading process compute without bound.
    """
    return [f"{kind} {name}" for kind, name in connection.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY name")
            if not (kind == "trigger" and name in MLFLOW_TRIGGERS)]


def checked_copy(store: Path, copy: Path) -> None:
    """Copy the student's SQLite store privately (no link followed, at most :data:`MAX_STORE_BYTES`), then check
    that it is a plain MLflow store of bounded size before MLflow opens it.

    Raises:
        Failure: a link, a store too large, a view or a trigger MLflow does not make, or too many rows (with what
            was found).
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
        foreign = foreign_objects(connection)
        if foreign:
            raise Failure("Le store MLflow reçu contient des objets SQL qu'MLflow ne crée pas "
                          f"({', '.join(foreign[:5])}) : ce n'est pas un store écrit par MLflow ; il n'est pas lu.")
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
