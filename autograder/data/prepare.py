"""``autograder data prepare``: verify raw dataset files and install them in the loaders' caches.

After it, these work without network access, unchanged:

* ``sklearn.datasets.fetch_california_housing()``
* ``torchvision.datasets.MNIST(root=torchvision_root(), download=True)``
* ``torchvision.datasets.FashionMNIST(root=torchvision_root(), download=True)``
* ``keras.datasets.fashion_mnist.load_data()``
* ``keras.datasets.cifar10.load_data()``, when CIFAR-10 (optional: see ``registry.OPTIONAL``) could be had

and :func:`autograder.data.loaders.load_mnist` replaces ``keras.datasets.mnist.load_data()``.

Every file is written to a temporary name beside its destination, checked, then renamed:
an interrupted or failed preparation never leaves a half-written file in a cache.

What the student reads is French: each step's :attr:`Installed.label` and every :class:`DatasetError`'s
message, which names the file and the fix (``Solution : …``).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.cell_errors import CellMessage
from autograder.data.locations import (
    default_mirror,
    keras_datasets_dir,
    kit_data_home,
    sklearn_data_home,
    torchvision_root,
)
from autograder.data.registry import DATASETS, OPTIONAL, Archive, DataFile

DOWNLOAD_TIMEOUT_S = 60
CAL_HOUSING_COLUMNS = [8, 7, 2, 3, 4, 5, 6, 1, 0]  # scikit-learn's reordering
TORCHVISION_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
DOWNLOAD_AGAIN = "Solution : relancez la commande ; le téléchargement était corrompu."


class DatasetError(RuntimeError):
    """A dataset file is missing, corrupt or cannot be fetched; the message says how to fix it."""


class DatasetMissing(CellMessage, DatasetError):
    """A kit loader found the dataset absent: the message, in French, names the one command that installs it.

    A notebook shows the message alone, without a traceback (:class:`autograder.cell_errors.CellMessage`).
    """


@dataclass(frozen=True)
class Installed:
    """One file the preparation placed (or found already in place)."""

    dataset: str
    path: Path
    action: str  # "installed", "already present" or "unavailable" (an optional dataset that could not be had)
    detail: str = ""  # why it is unavailable

    @property
    def label(self) -> str:
        """The action as ``autograder data prepare`` prints it, in French."""
        return ACTION_LABELS[self.action]


#: Each :attr:`Installed.action`, in French.
ACTION_LABELS = {"installed": "installé", "already present": "déjà présent", "unavailable": "indisponible"}


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_target(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it onto ``dest`` only if the block succeeds."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o644)  # public data, read by the sandbox's own user (``nobody`` when grading as root)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _check(path: Path, expected: str, label: str, fix: str) -> None:
    found = sha256_of(path)
    if found != expected:
        raise DatasetError(
            f"{label} : somme de contrôle incorrecte (SHA-256 attendu {expected}, trouvé {found}). {fix}"
        )


def _download(urls: tuple[str, ...], target: Path, label: str) -> None:
    errors = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(target, "wb") as out:
                shutil.copyfileobj(response, out)
            return
        except OSError as error:
            errors.append(f"{url}: {error}")
    raise DatasetError(
        f"{label} : téléchargement impossible ({'; '.join(errors)}). Solution : connectez-vous à Internet, "
        "ou indiquez avec --mirror (ou DLKIT_DATASET_MIRROR) un dossier qui contient les fichiers bruts."
    )


def _extract_member(archive: Archive, target: Path, label: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tgz = Path(scratch) / "archive.tgz"
        _download((archive.url,), tgz, label)
        _check(tgz, archive.sha256, f"{label} (archive {archive.url})",
               DOWNLOAD_AGAIN)
        with tarfile.open(tgz, "r:gz") as tar, open(target, "wb") as out:
            member = tar.extractfile(archive.member)
            if member is None:
                raise DatasetError(f"{label} : {archive.member} est absent de l'archive {archive.url}.")
            shutil.copyfileobj(member, out)


def fetch_raw(item: DataFile, dest: Path, mirror: Path | None) -> bool:
    """Place the verified raw file at ``dest``; return False when a verified copy was already there.

    Raises:
        DatasetError: the mirror lacks the file, a copy or download is corrupt, or the
            network is unreachable. Nothing is left at ``dest`` in that case.
    """
    if dest.is_file() and sha256_of(dest) == item.sha256:
        return False
    label = item.mirror_path
    with atomic_target(dest) as tmp:
        if mirror is not None:
            source = mirror / item.mirror_path
            if not source.is_file():
                raise DatasetError(
                    f"{label} : introuvable dans le miroir {mirror} (attendu : {source}). Solution : copiez-y le "
                    "fichier officiel, ou retirez DLKIT_DATASET_MIRROR pour le télécharger."
                )
            shutil.copyfile(source, tmp)
            fix = (f"Solution : remplacez {source} par le fichier officiel (`sha256sum -c SHA256SUMS` dans le "
                   "miroir).")
        elif item.urls:
            _download(item.urls, tmp, label)
            fix = DOWNLOAD_AGAIN
        else:
            assert item.archive is not None
            _extract_member(item.archive, tmp, label)
            fix = DOWNLOAD_AGAIN
        _check(tmp, item.sha256, label, fix)
    return True


def _copy_verified(item: DataFile, source: Path, dest: Path) -> bool:
    """Copy an already verified file to a second cache; return False when it was already there."""
    if dest.is_file() and sha256_of(dest) == item.sha256:
        return False
    with atomic_target(dest) as tmp:
        shutil.copyfile(source, tmp)
        _check(tmp, item.sha256, str(dest), "Solution : lancez `autograder data prepare --force`.")
    return True


def _gunzip(source: Path, dest: Path) -> None:
    with atomic_target(dest) as tmp, gzip.open(source, "rb") as src, open(tmp, "wb") as out:
        shutil.copyfileobj(src, out)


def _install_idx(name: str, mirror: Path | None, force: bool) -> Iterator[Installed]:
    raw = torchvision_root() / TORCHVISION_FOLDERS[name] / "raw"
    for item in DATASETS[name]:
        gz = raw / item.name
        if force:
            gz.unlink(missing_ok=True)
        fresh = fetch_raw(item, gz, mirror)
        unpacked = raw / item.name.removesuffix(".gz")
        if fresh or not unpacked.is_file():
            _gunzip(gz, unpacked)
        yield Installed(name, gz, "installed" if fresh else "already present")
        if name == "fashion-mnist":
            keras_copy = keras_datasets_dir() / "fashion-mnist" / item.name
            copied = _copy_verified(item, gz, keras_copy)
            yield Installed(name, keras_copy, "installed" if copied else "already present")


def _install_california(mirror: Path | None, force: bool) -> Iterator[Installed]:
    (item,) = DATASETS["california_housing"]
    raw = kit_data_home() / "raw" / item.mirror_path
    pkz = sklearn_data_home() / "cal_housing_py3.pkz"
    if force:
        pkz.unlink(missing_ok=True)
    fetch_raw(item, raw, mirror)
    if pkz.is_file():
        yield Installed("california_housing", pkz, "already present")
        return
    import joblib

    table = np.loadtxt(raw, delimiter=",")
    if table.shape != (20640, 9):
        raise DatasetError(f"{item.mirror_path} : 20640 lignes x 9 colonnes attendues, {table.shape} trouvées. "
                           "Solution : lancez `autograder data prepare --force`.")
    with atomic_target(pkz) as tmp:
        joblib.dump(table[:, CAL_HOUSING_COLUMNS], tmp, compress=6)
    yield Installed("california_housing", pkz, "installed")


def cifar10_archive() -> Path:
    """Where ``keras.datasets.cifar10.load_data()`` looks for the archive it verifies (SHA-256) and extracts.

    Keras 3's ``get_file(fname="cifar-10-batches-py-target", extract=True)`` keeps the download as
    ``<fname>_archive`` and extracts it into ``<fname>/`` (``cifar-10-batches-py/data_batch_1`` ...).
    """
    return keras_datasets_dir() / "cifar-10-batches-py-target_archive"


def _install_cifar10(mirror: Path | None, force: bool) -> Iterator[Installed]:
    (item,) = DATASETS["cifar-10"]
    archive = cifar10_archive()
    if force:
        archive.unlink(missing_ok=True)
    fresh = fetch_raw(item, archive, mirror)
    yield Installed("cifar-10", archive, "installed" if fresh else "already present")


def prepare(
    names: list[str] | None = None,
    mirror: Path | None = None,
    force: bool = False,
    report: Callable[[Installed], None] = lambda _: None,
    use_mirror: bool = True,
) -> list[Installed]:
    """Verify and install the named datasets (all by default).

    Files come from ``mirror`` (default: :func:`default_mirror`) or, with no mirror or
    ``use_mirror=False``, from the official download locations.
    """
    if use_mirror and mirror is None:
        mirror = default_mirror()
    if not use_mirror:
        mirror = None
    unknown = set(names or ()) - set(DATASETS)
    if unknown:
        raise DatasetError(f"jeu de données inconnu : {', '.join(sorted(unknown))} (jeux connus : "
                           f"{', '.join(sorted(DATASETS))})")
    done: list[Installed] = []
    for name in names or list(DATASETS):
        if name == "california_housing":
            steps = _install_california(mirror, force)
        elif name == "cifar-10":
            steps = _install_cifar10(mirror, force)
        else:
            steps = _install_idx(name, mirror, force)
        try:
            for step in steps:
                report(step)
                done.append(step)
        except DatasetError as error:
            if names or name not in OPTIONAL:
                raise
            step = Installed(name, cifar10_archive(), "unavailable", f"{error} (facultatif : rien de noté n'en dépend)")
            report(step)
            done.append(step)
    _readable_by_all([kit_data_home(), keras_datasets_dir(), sklearn_data_home()])
    return done


def _readable_by_all(folders: list[Path]) -> None:
    """Files an older kit installed private to their user: the sandbox's own user reads them too."""
    for folder in folders:
        for path in folder.rglob("*") if folder.is_dir() else ():
            if path.is_file() and not path.is_symlink() and path.stat().st_uid == os.geteuid():
                path.chmod(path.stat().st_mode | 0o444)
