"""A student's JupyterLab, driven end to end in a real headless Chromium.

The students' bundle is installed in a fresh environment (the ``student_env`` fixture), JupyterLab
is started from it on the loopback interface, and Selenium drives Debian's ``chromium`` through
``chromedriver``: the notebook is opened, its cells are run from JupyterLab's own menu, and the page
must show the graded cell's French feedback and its points. ``./run.sh test`` installs the browser
where it can (root on Debian); where none can be had, the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import nbformat
import pytest

from tests.browser import BROWSER, chromium
from tests.conftest import reference_notebook, student_notebook

ASSIGNMENT = "01_regression"
#: The cells of the small notebook, by nbgrader grade_id: imports, one function, its graded cell.
IMPORTS, FUNCTION, GRADED = "imports", "split_data", "test_split"
#: What the graded cell prints when its public test passes, and its value: the public points, shown with what
#: they count (the cell is titled "(3 points)": 1 public, 2 hidden).
FEEDBACK, POINTS = "✔ Découpage 80/20", ": 1/1"
VALUE = "1/1 point visible ; 2 points cachés, notés après la remise"
HTML = "text/html"
STDERR = "application/vnd.jupyter.stderr"
#: Seconds allowed for the server to answer, the kernel to start, and all cells to run.
SERVER_TIMEOUT, KERNEL_TIMEOUT, RUN_TIMEOUT = 60, 60, 120

T = TypeVar("T")


pytestmark = pytest.mark.skipif(isinstance(BROWSER, str), reason=str(BROWSER))


def _cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def small_notebook(folder: Path) -> Path:
    """The released notebook cut down to its imports, ``split_data`` (solved) and its graded cell.

    ``split_data``'s public test runs on a synthetic data set, so the data-loading cell is not needed.
    A last cell prints where the kernel's Python and ``autograder`` come from, and the notebook path Jupyter gave
    the kernel (``__session__``, by which the graded cell finds the saved file it speaks of).
    """
    released = nbformat.read(student_notebook(ASSIGNMENT), as_version=4)
    solved = nbformat.read(reference_notebook(ASSIGNMENT), as_version=4)
    function = _cell(released, FUNCTION)
    assert function.metadata["nbgrader"]["solution"]
    function.source = _cell(solved, FUNCTION).source
    graded = _cell(released, GRADED)
    assert graded.metadata["nbgrader"]["grade"]
    where = nbformat.v4.new_code_cell("import sys, autograder\nprint(sys.executable)\nprint(autograder.__file__)\n"
                                      "print(__session__)")
    notebook = nbformat.v4.new_notebook(metadata=released.metadata,
                                        cells=[_cell(released, IMPORTS), function, graded, where])
    path = folder / f"{ASSIGNMENT}.ipynb"
    nbformat.write(notebook, path)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(what: str, timeout: float, probe: Callable[[], T | None], interval: float = 0.25) -> T:
    """``probe()``'s first truthy value, polled for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def _user_settings(folder: Path) -> None:
    """JupyterLab user settings that keep the run hermetic and the page stable.

    No news feed (a request to the internet, and a toast over the notebook), and every cell attached
    to the DOM (windowing off), so that the outputs can be read whatever the viewport shows.
    """
    settings = {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }
    for plugin, values in settings.items():
        package, name = plugin.rsplit("/", 1)
        path = folder / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@contextmanager
def jupyterlab(student_env: Any, root: Path, home: Path) -> Iterator[tuple[str, str]]:
    """A JupyterLab server of ``student_env`` serving ``root``: ``(base url, token)``; stopped on exit."""
    port, token = _free_port(), secrets.token_hex(16)
    kit = Path(sys.prefix) / "share" / "jupyter"  # the frameworks and Jupyter come from the kit's venv
    _user_settings(home / "lab-settings")
    env = student_env.environ(
        DLKIT_QUICK="1",
        # The built JupyterLab (static assets, schemas, themes); it would be found next to the package
        # anyway, but the student environment's own share/jupyter has none of it.
        JUPYTERLAB_DIR=str(kit / "lab"),
        # The prebuilt extensions (nbgrader's, widgets...), as a student's `pip install` would bring.
        # The kernel is the server's Python, the student environment's: checked in the page below.
        JUPYTER_PATH=str(kit),
        JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    log = home / "jupyterlab.log"
    command = [str(student_env.python), "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--allow-root"]  # CI runs as root
    with log.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def status() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"JupyterLab exited ({server.returncode}):\n{log.read_text(encoding='utf-8')}")
        request = urllib.request.Request(f"{base}/api/status", headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    try:
        _wait("JupyterLab's /api/status", SERVER_TIMEOUT, status)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


#: Per code cell of the open notebook, ``[prompt, [[mime type, text] per output]]`` (DOM text: hidden or not);
#: the prompt without spaces: ``[]:`` never run, ``[*]:`` running or queued, ``[3]:`` ran.
CELLS_JS = """
return Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell'))
  .map(cell => [cell.querySelector('.jp-InputPrompt').textContent.replace(/\\s/g, ''),
                Array.from(cell.querySelectorAll('.jp-OutputArea-output'))
                  .map(output => [output.getAttribute('data-mime-type') || '', output.textContent])]);
"""


def kernel_idle(base: str, token: str, path: str) -> bool:
    """Whether the server has a session for the notebook at ``path`` whose kernel is idle."""
    request = urllib.request.Request(f"{base}/api/sessions", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        sessions = json.load(response)
    return any(s["path"] == path and s["kernel"]["execution_state"] == "idle" for s in sessions)


def run_menu_command(driver: Any, command: str) -> None:
    """Open the menu bar's Run menu and click its entry for ``command``, as a student would.

    Lumino renders each menu entry with its command id (``data-command``): found by it, not by label.
    """
    from selenium.webdriver.common.by import By

    (menu,) = [item for item in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item") if item.text == "Run"]
    menu.click()
    _wait(f"the Run menu's {command}", 10, lambda: driver.find_elements(
        By.CSS_SELECTOR, f".lm-Menu-item[data-command='{command}']:not(.lm-mod-disabled)"))[0].click()


def run_all_cells(driver: Any, base: str, token: str, path: str) -> list[list[list[str]]]:
    """Open the notebook at ``path`` and run all its cells from Run > Run All Cells.

    One click runs every cell in order whatever has the keyboard focus (Shift+Enter per cell depends on
    it, and on the cell editor's timing). Returns the code cells' outputs once all ran, or one failed.
    """
    driver.get(f"{base}/lab/tree/{path}?token={token}")
    # The toolbar's execution indicator says "idle" before the page has a kernel, and Run All Cells
    # clicked then runs nothing: wait for the server's session of the notebook to have an idle kernel,
    # then click, and click again should no cell have started (no "[*]" prompt) a few seconds later.
    _wait("the notebook's kernel to be idle", KERNEL_TIMEOUT, lambda: kernel_idle(base, token, path))
    for attempt in range(3):
        run_menu_command(driver, "runmenu:run-all")
        try:
            _wait("a cell to start", 10, lambda: any(p != "[]:" for p, _ in driver.execute_script(CELLS_JS)))
            break
        except AssertionError:
            if attempt == 2:
                raise

    seen: list[Any] = []

    def finished() -> list[list[list[str]]] | None:
        cells = driver.execute_script(CELLS_JS)
        seen[:] = [cells]
        outputs = [output for _, output in cells]
        if any(mime == STDERR and "Traceback" in text for output in outputs for mime, text in output):
            return outputs  # an error: no point waiting for the rest
        done = len(cells) == 4 and all(re.fullmatch(r"\[\d+\]:", prompt) for prompt, _ in cells)
        return outputs if done and outputs[3] else None

    try:
        return _wait("the cells' outputs", RUN_TIMEOUT, finished, interval=0.5)
    except AssertionError as error:
        raise AssertionError(f"{error}; the cells were: {seen}") from None


def save_screenshot(driver: Any, path: Path) -> None:
    """The browser's window, graded cell in view, to ``path`` (and to ``$DLKIT_ARTIFACTS`` when set)."""
    from selenium.webdriver.common.by import By

    cells = driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell")
    if len(cells) > 2:
        driver.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", cells[2])
    assert driver.save_screenshot(str(path))
    if os.environ.get("DLKIT_ARTIFACTS"):
        artifacts = Path(os.environ["DLKIT_ARTIFACTS"])
        artifacts.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, artifacts / path.name)


def test_jupyterlab_runs_a_graded_cell(student_env: Any, tmp_path: Path) -> None:
    """A student's JupyterLab in a real headless Chromium runs a solved function and its graded cell.

    Checks that the page shows the French feedback line of the public test (``✔ Découpage 80/20 ...
    : 1/1``) and the cell's value as the notebook renders it (``1/1 point visible ; 2 points cachés, notés
    après la remise``: the cell is titled 3 points), with no warning (the saved file is the kernel's code)
    and nothing on stderr; that the imports cell prints nothing on stderr (the kit hides TensorFlow's
    start-up logs), and that the kernel is the student environment's Python with the wheel's
    ``autograder``. Saves a screenshot of the notebook (``DLKIT_ARTIFACTS`` gets a copy).
    """
    root, home = tmp_path / "notebooks", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    notebook, screenshot = small_notebook(root), tmp_path / "jupyterlab.png"
    with jupyterlab(student_env, root, home) as (base, token), chromium(home) as driver:
        try:
            cells = run_all_cells(driver, base, token, notebook.name)
        finally:  # a failure gets its screenshot too
            save_screenshot(driver, screenshot)
    imports, function, graded, where = cells
    assert not [text for mime, text in imports if mime == STDERR], imports
    assert function == [], function
    lines = "".join(text for _, text in graded)
    assert FEEDBACK in lines and POINTS in lines and "⚠" not in lines, graded
    assert [text.strip() for mime, text in graded if mime == HTML] == [VALUE], graded
    assert not [text for mime, text in graded if mime == STDERR], graded
    executable, package, session = "".join(text for _, text in where).splitlines()
    assert executable == str(student_env.python), where
    assert package.startswith(str(student_env.root)), where
    assert session == str(notebook), where
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and screenshot.stat().st_size > 10_000
