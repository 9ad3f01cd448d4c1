"""04_mnist_mlops's tools, run for real on the reference notebook executed end to end.

The reference notebook runs in a Jupyter kernel (nbclient, ``DLKIT_QUICK=1``: one epoch) in a scratch
folder: it trains, saves ``mnist_model.keras``, tracks the run into ``mlflow.db``, serves its API on
loopback, queries it with its client and writes the image's build context (``deploy/``). Then:
``mlflow server`` started on that store answers with the run through its REST API; the generated
``app.py`` served by gunicorn (a production WSGI server) answers the seed's client request with a 7
for test image 0; and, where a container engine runs, the image is built and called.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.checks.dockerfile import instructions
from autograder.data import load_mnist
from autograder.deployment import MODEL_FILE, write_deployment
from tests.conftest import reference_notebook

ASSIGNMENT = "04_mnist_mlops"
SCRIPTS = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url: str, document: object | None = None, timeout: float = 10.0) -> tuple[int, dict]:
    """POST ``document`` as JSON (GET when None); the status and the JSON answer."""
    data = None if document is None else json.dumps(document).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90.0) -> None:
    """Until ``url`` answers (any HTTP status), or fail with what the server printed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {process.stdout.read() if process.stdout else ''}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s")


def started(command: list[str], url: str, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(url, process)
    return process


def stopped(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, nbformat.NotebookNode]]:
    """The reference notebook executed top to bottom in a scratch folder; that folder and the notebook."""
    folder = tmp_path_factory.mktemp("mlops")
    path = folder / f"{ASSIGNMENT}.ipynb"
    shutil.copy(reference_notebook(ASSIGNMENT), path)
    notebook = nbformat.read(path, as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLKIT_QUICK", "1")
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    yield folder, notebook


def printed(notebook: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def test_reference_notebook_runs_end_to_end(executed):
    folder, notebook = executed
    assert (folder / MODEL_FILE).is_file() and (folder / "mlflow.db").is_file()
    assert sorted(p.name for p in (folder / "deploy").iterdir()) == ["Dockerfile", "app.py", MODEL_FILE,
                                                                    "requirements.txt"]
    text = printed(notebook)
    assert "étiquette 7, prédiction 7" in text
    assert "{'error': 'Aucune image fournie'}" in text


def test_mlflow_server_answers_with_the_logged_run(executed):
    folder, _ = executed
    port = free_port()
    server = started([str(SCRIPTS / "mlflow"), "server", "--backend-store-uri", "sqlite:///mlflow.db",
                      "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                     f"http://127.0.0.1:{port}/health", folder)
    try:
        status, found = http(f"http://127.0.0.1:{port}/api/2.0/mlflow/runs/search",
                             {"experiment_ids": ["0"], "max_results": 10})
    finally:
        stopped(server)
    assert status == 200
    (run,) = found["runs"]
    assert run["info"]["status"] == "FINISHED"
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params == {"epochs": "5", "batch_size": "128", "dropout_rate": "0.2"}
    metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    assert set(metrics) == {"test_accuracy", "test_loss"} and metrics["test_accuracy"] > 0.9


def test_gunicorn_serves_the_generated_app(executed):
    folder, _ = executed
    port = free_port()
    (_, _), (images, labels) = load_mnist()
    server = started([str(SCRIPTS / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                      "--timeout", "120", f'app:create_app("{MODEL_FILE}")'],
                     f"http://127.0.0.1:{port}/predict", folder / "deploy")
    try:
        status, answer = http(f"http://127.0.0.1:{port}/predict", {"image": images[0].reshape(-1).tolist()})
        malformed = http(f"http://127.0.0.1:{port}/predict", {"image": [300] * 784})
        missing = http(f"http://127.0.0.1:{port}/predict", {"pixels": []})
    finally:
        stopped(server)
    assert labels[0] == 7
    assert (status, answer["prediction"]) == (200, 7)
    assert len(answer["probabilities"][0]) == 10
    assert malformed[0] == 400 and "error" in malformed[1]
    assert missing == (400, {"error": "Aucune image fournie"})


def test_generated_dockerfile_is_the_notebook_one(executed):
    folder, _ = executed
    found = [item.name for item in instructions((folder / "deploy" / "Dockerfile").read_text())]
    assert found == ["FROM", "WORKDIR", "COPY", "RUN", "COPY", "EXPOSE", "CMD"]


def container_engine() -> str | None:
    """``docker`` or ``podman`` when one is installed and its daemon answers."""
    for engine in ("docker", "podman"):
        if shutil.which(engine) and subprocess.run([engine, "info"], capture_output=True).returncode == 0:
            return engine
    return None


def test_reference_image_builds_and_answers(executed, tmp_path):
    engine = container_engine()
    if engine is None:
        pytest.skip("no container engine answers here (docker or podman with a running daemon): the image of "
                    "the reference API is built and called only where one does")
    folder, _ = executed
    context = write_deployment(folder / f"{ASSIGNMENT}.ipynb", tmp_path / "context", folder / MODEL_FILE,
                               (folder / "deploy" / "Dockerfile").read_text(),
                               (folder / "deploy" / "requirements.txt").read_text())
    tag = "dlkit-mnist-api:test"
    subprocess.run([engine, "build", "-t", tag, str(context)], check=True, capture_output=True, timeout=1800)
    port = free_port()
    container = subprocess.run([engine, "run", "-d", "--rm", "-p", f"127.0.0.1:{port}:5000", tag], check=True,
                               capture_output=True, text=True).stdout.strip()
    try:
        (_, _), (images, _) = load_mnist()
        deadline = time.monotonic() + 120
        while True:
            try:
                status, answer = http(f"http://127.0.0.1:{port}/predict", {"image": images[0].reshape(-1).tolist()})
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        subprocess.run([engine, "stop", container], capture_output=True)
    assert (status, answer["prediction"]) == (200, 7)
