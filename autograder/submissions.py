"""Find the submissions to grade in what an instructor hands over.

Accepted inputs: notebooks; folders of notebooks (searched recursively); nbgrader's
``submitted/<student>/<assignment>/*.ipynb`` tree (or a course folder holding it); zip
files (one per student, extracted safely, each into a folder of its own). A zip file in a
student's folder (``inbox/alice/submission.zip``, ``inbox/alice/rendu/TP1.zip``) is that student's: it is
named after the folder, never after the archive, whose name every student may share. A broken input
becomes a job with a ``problem``, graded as 0 with that message, and so does a student's folder or file
with no notebook (``inbox/bob/rapport.pdf``: "aucun notebook", naming what was sent): nothing is skipped
silently; so does an archive that cannot be extracted (encrypted, Deflate64, damaged: « archive chiffrée ou
illisible »). A class's "download all" zip is bounded per student (:func:`_extract`), its over-long file names
shortened. The layouts of Moodle's and Canvas's downloads are read by :mod:`autograder.intake`.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.lms_layouts import CANVAS, MOODLE

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


class ArchiveError(ValueError):
    """A zip file that cannot be extracted (French message): encrypted, of an unknown compression, damaged,
    too large, or holding a forbidden path. A ``ValueError``: every caller that reads ``ValueError`` reads it."""


#: A class's "download all" archive (Moodle, Canvas): bounds on the whole, the per-student ones on each student.
MAX_CLASS_ZIP_BYTES = 4 * 2**30
MAX_CLASS_ZIP_MEMBERS = 50_000
#: Longest name, in UTF-8 bytes, of a file or folder extracted (the file systems' limit is 255).
MAX_NAME_BYTES = 200


def unreadable_archive(error: BaseException) -> str:
    """Why a zip file cannot be extracted, in French."""
    if isinstance(error, ArchiveError):
        return str(error)
    if isinstance(error, RuntimeError) and "encrypted" in str(error):
        why = "elle est protégée par un mot de passe : déposez-la sans mot de passe"
    elif isinstance(error, NotImplementedError):
        why = f"méthode de compression non prise en charge ({error}) : refaites-la en zip standard (Deflate)"
    else:
        why = f"{type(error).__name__} : {error}"
    return f"archive chiffrée ou illisible : {why}"


def short_name(name: str) -> str:
    """``name`` when it fits a file system, else its beginning, a short hash of it and its extension."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix.encode("utf-8")) <= 16 else ""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    stem = name[: len(name) - len(suffix)].encode("utf-8")[: MAX_NAME_BYTES - 40].decode("utf-8", "ignore")
    return f"{stem}~{digest}{suffix}"


def _unit(name: str, common: str | None) -> str:
    """The student a member of a class archive belongs to: its first folder or file under the common folder."""
    parts = Path(name).parts
    if common is not None and parts[:1] == (common,):
        parts = parts[1:]
    return parts[0] if parts else ""


def _copy(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> Path:
    """Extract one member under ``target``, each over-long name shortened; the path written."""
    path = target.joinpath(*(short_name(part) for part in Path(member.filename).parts))
    if member.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipped.open(member) as source, path.open("wb") as sink:
        shutil.copyfileobj(source, sink, 2**20)
    return path


def _extract(archive: Path, scratch: Path) -> Path:
    """Extract ``archive`` into a new folder under ``scratch``, refusing path traversal, links and zip bombs.

    A student's archive is refused whole (:class:`ArchiveError`) when any member cannot be extracted. A class's
    "download all" archive (most of its entries named as Moodle or Canvas name them) is bounded per student:
    a student's files that are too large, too many or unextractable are left out, each replaced by a file
    ``<name> [refusé : <why>].txt`` stating why, so that that student alone has a problem.
    """
    try:
        with zipfile.ZipFile(archive) as zipped:
            return _extract_open(zipped, scratch)
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
            zlib.error, UnicodeError, ValueError) as error:
        raise ArchiveError(unreadable_archive(error)) from error


def _extract_open(zipped: zipfile.ZipFile, scratch: Path) -> Path:
    members = zipped.infolist()
    for member in members:
        path = Path(member.filename)
        if path.is_absolute() or ".." in path.parts or (member.external_attr >> 28) == 0o12:
            raise ArchiveError(f"chemin interdit dans l'archive : {member.filename}")
    tops = {Path(m.filename).parts[0] for m in members if Path(m.filename).parts}
    common = next(iter(tops)) if len(tops) == 1 and any(len(Path(m.filename).parts) > 1 for m in members) else None
    units: dict[str, list[zipfile.ZipInfo]] = {}
    for member in members:
        units.setdefault(_unit(member.filename, common), []).append(member)
    named = sum(bool(MOODLE.match(unit) or CANVAS.match(unit)) for unit in units)
    whole = not (named and named * 2 >= len(units))  # a student's own archive, not a class's
    limits = (MAX_ZIP_MEMBERS, MAX_ZIP_BYTES) if whole else (MAX_CLASS_ZIP_MEMBERS, MAX_CLASS_ZIP_BYTES)
    if len(members) > limits[0] or sum(m.file_size for m in members) > limits[1]:
        raise ArchiveError(f"archive trop volumineuse (plus de {limits[1] // 2**20} Mo ou de {limits[0]} fichiers)")
    scratch.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="zip-", dir=scratch))  # never shared, whatever the archive's name
    for own in units.values():
        if not whole and (len(own) > MAX_ZIP_MEMBERS or sum(m.file_size for m in own) > MAX_ZIP_BYTES):
            _refuse(target, own, f"trop volumineux (plus de {MAX_ZIP_BYTES // 2**20} Mo ou de {MAX_ZIP_MEMBERS} "
                                 f"fichiers pour cet étudiant)")
            continue
        for member in own:
            try:
                _copy(zipped, member, target)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error) as error:
                if whole:
                    raise ArchiveError(unreadable_archive(error)) from error
                _refuse(target, [member], unreadable_archive(error))
    return target


def _refuse(target: Path, members: list[zipfile.ZipInfo], why: str) -> None:
    """In a class archive's folder, a file ``<name> [refusé : <why>].txt`` for each of ``members`` (not a folder)."""
    for member in members:
        if member.is_dir():
            continue
        parts = [short_name(part) for part in Path(member.filename).parts]
        brief = why.split(" : ", 1)[0].split(" (", 1)[0]
        parts[-1] = short_name(f"{Path(member.filename).name} [refusé : {brief}].txt")
        path = target.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{member.filename} : {why}\n", encoding="utf-8", errors="replace")


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
    except ArchiveError as error:
        return [Job(archive, student, assignment, problem=f"Archive {archive.name} : {error}")]
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
