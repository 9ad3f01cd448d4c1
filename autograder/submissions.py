"""Find the submissions to grade in what an instructor hands over.

Accepted inputs: notebooks; folders of notebooks (searched recursively); nbgrader's
``submitted/<student>/<assignment>/*.ipynb`` tree (or a course folder holding it); zip
files (one per student, extracted safely, each into a folder of its own). A zip file in a
student's folder (``inbox/alice/submission.zip``, ``inbox/alice/rendu/TP1.zip``) is that student's: it is
named after the folder, never after the archive, whose name every student may share. A broken input
becomes a job with a ``problem``, graded as 0 with that message, and so does a student's folder or file
with no notebook (``inbox/bob/rapport.pdf``: "aucun notebook", naming what was sent): nothing is skipped
silently. The layouts of Moodle's and Canvas's downloads are read by :mod:`autograder.intake`.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

MAX_ZIP_BYTES = 200 * 2**20
MAX_ZIP_MEMBERS = 2000


@dataclass(frozen=True)
class Job:
    """One notebook to grade.

    Attributes:
        path: the submitted notebook.
        student: identifier shown in tables and exports (unique within a batch).
        assignment: assignment name, or None to read it from the notebook.
        origin: ``file`` or ``nbgrader`` (the submission came from nbgrader's tree).
        problem: why the input cannot be graded (French), if it cannot.
        only: the checks or tasks to grade for this job alone (None: the batch's selection).
    """

    path: Path
    student: str
    assignment: str | None = None
    origin: str = "file"
    problem: str | None = None
    only: frozenset[str] | None = None

    def fingerprint(self) -> str:
        """SHA-256 of the notebook file (empty when unreadable) and the job's selection: a change is regraded."""
        try:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return ""
        return digest if self.only is None else f"{digest}:{','.join(sorted(self.only))}"


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _nbgrader_tree(submitted: Path, assignment: str | None) -> list[Job]:
    jobs = []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir()):
        for folder in sorted(p for p in student.iterdir() if p.is_dir()):
            if assignment and folder.name != assignment:
                continue
            for notebook in sorted(folder.glob("*.ipynb")):
                jobs.append(Job(notebook, student.name, folder.name, origin="nbgrader"))
    return jobs


def _extract(archive: Path, scratch: Path) -> Path:
    """Extract ``archive`` into a new folder under ``scratch``, refusing path traversal, links and zip bombs."""
    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(f"archive trop volumineuse (plus de {MAX_ZIP_BYTES // 2**20} Mo ou de "
                             f"{MAX_ZIP_MEMBERS} fichiers)")
        for member in members:
            path = Path(member.filename)
            if path.is_absolute() or ".." in path.parts or (member.external_attr >> 28) == 0o12:
                raise ValueError(f"chemin interdit dans l'archive : {member.filename}")
        scratch.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix="zip-", dir=scratch))  # never shared, whatever the archive's name
        zipped.extractall(target)
    return target


def _zip_student(relative: Path) -> str:
    """The student of a zip file found in an input folder, from its path there: the first folder of that path
    (``alice/submission.zip``, ``alice/rendu/TP1.zip``: ``alice``; two archives of alice: ``alice``, ``alice~2``),
    its own name without ``.zip`` only at the top of the input (``bob.zip``: ``bob``)."""
    return relative.parts[0] if len(relative.parts) > 1 else str(relative.with_suffix(""))


def sent_files(paths: list[Path], base: Path) -> str:
    """What a student sent, for a message: file names relative to ``base``, the first ten."""
    names = [str(p.relative_to(base)) if p.is_relative_to(base) else p.name for p in paths]
    return ", ".join(names[:10]) + (f" et {len(names) - 10} autres" if len(names) > 10 else "") or "rien"


def no_notebook(files: str) -> str:
    """The problem of a submission with no notebook (French), naming what was sent."""
    return f"Aucun notebook (.ipynb) dans la remise : reçu {files}. Déposez le fichier du devoir (.ipynb)."


def _without_notebook(folder: Path, assignment: str | None) -> list[Job]:
    """A job for each student's folder or file of ``folder`` that holds no notebook and no zip file."""
    jobs = []
    for entry in sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"):
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*") if p.is_file() and not p.name.startswith("."))
            if files and not any(p.suffix in (".ipynb", ".zip") for p in files):
                jobs.append(Job(files[0], entry.name, assignment, problem=no_notebook(sent_files(files, entry))))
        elif entry.suffix not in (".ipynb", ".zip"):
            jobs.append(Job(entry, entry.stem, assignment, problem=no_notebook(entry.name)))
    return jobs


def _from_zip(archive: Path, student: str, assignment: str | None, scratch: Path) -> list[Job]:
    try:
        folder = _extract(archive, scratch)
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        return [Job(archive, student, assignment, problem=f"Archive {archive.name} illisible : {error}")]
    notebooks = _notebooks(folder)
    if not notebooks:
        return [Job(archive, student, assignment, problem=f"L'archive {archive.name} ne contient aucun notebook.")]
    if assignment:
        named = [n for n in notebooks if n.stem == assignment]
        notebooks = named or notebooks
    if len(notebooks) == 1:
        return [Job(notebooks[0], student, assignment)]
    return [Job(n, f"{student}/{n.relative_to(folder).with_suffix('')}", assignment) for n in notebooks]


def discover(inputs: list[Path], assignment: str | None, scratch: Path) -> list[Job]:
    """Every submission found in ``inputs``, with unique student identifiers."""
    jobs: list[Job] = []
    for item in map(Path, inputs):
        if item.is_dir() and (item / "submitted").is_dir():
            item = item / "submitted"
        if item.is_dir() and item.name == "submitted":
            jobs += _nbgrader_tree(item, assignment)
        elif item.is_dir():
            jobs += [Job(n, str(n.relative_to(item).with_suffix("")), assignment) for n in _notebooks(item)]
            for archive in sorted(item.rglob("*.zip")):
                jobs += _from_zip(archive, _zip_student(archive.relative_to(item)), assignment, scratch)
            jobs += _without_notebook(item, assignment)
        elif item.suffix == ".zip":
            jobs += _from_zip(item, item.stem, assignment, scratch)
        elif item.exists():
            jobs.append(Job(item, item.stem, assignment))
        else:
            jobs.append(Job(item, item.stem, assignment, problem=f"Fichier introuvable : {item}"))
    seen: dict[str, int] = {}
    unique = []
    for job in jobs:
        count = seen.get(job.student, 0)
        seen[job.student] = count + 1
        unique.append(job if not count else replace(job, student=f"{job.student}~{count + 1}"))
    return unique
