"""Loaders for files the standard loaders cannot fetch offline.

Keras' ``mnist.load_data()`` verifies one exact ``mnist.npz`` that no mirror here holds;
:func:`load_mnist` returns the same arrays from the official IDX files. :func:`load_fashion_mnist` returns
``keras.datasets.fashion_mnist.load_data()``'s arrays from the same files Keras reads, without Keras' download
attempt (a long ``urllib`` traceback offline): a dataset not prepared yet is a :class:`DatasetMissing` whose
French message names ``autograder data prepare``, shown without a traceback in a notebook.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from autograder.data.locations import torchvision_root
from autograder.data.prepare import TORCHVISION_FOLDERS, DatasetError, DatasetMissing, cifar10_archive

IDX_TYPES = {0x08: np.uint8}
#: How students know each dataset (in French messages).
DATASET_NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
PREPARE_COMMAND = "autograder data prepare"

Split = tuple[np.ndarray, np.ndarray]


def read_idx(path: Path) -> np.ndarray:
    """Read a gzip-compressed IDX file (magic, dims, big-endian sizes, then uint8 data)."""
    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise DatasetError(f"{path} : ce n'est pas un fichier IDX d'octets non signés. Solution : autograder data "
                           "prepare --force")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise DatasetError(f"{path} : fichier tronqué ({data.size} valeurs pour la forme {shape}). Solution : "
                           "autograder data prepare --force")
    return data.reshape(shape)


def load_idx_dataset(name: str = "mnist") -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like ``keras.datasets.*.load_data()``.

    Shapes: x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test (10000,).

    Raises:
        DatasetMissing: the prepared files are missing (``autograder data prepare`` installs them).
    """
    raw = torchvision_root() / TORCHVISION_FOLDERS[name] / "raw"
    parts = []
    for prefix in ("train", "t10k"):
        images = raw / f"{prefix}-images-idx3-ubyte.gz"
        labels = raw / f"{prefix}-labels-idx1-ubyte.gz"
        for path in (images, labels):
            if not path.is_file():
                raise DatasetMissing(
                    f"Le jeu de données {DATASET_NAMES.get(name, name)} n'est pas installé sur cette machine "
                    f"(fichier absent : {path}).\nInstallez-le avec la commande : {PREPARE_COMMAND}\n"
                    f"(dans un terminal, ou dans une cellule : !{PREPARE_COMMAND}), puis réexécutez cette cellule.")
        parts.append((read_idx(images), read_idx(labels)))
    return parts[0], parts[1]


def load_mnist() -> tuple[Split, Split]:
    """Drop-in replacement for ``keras.datasets.mnist.load_data()`` that works offline."""
    return load_idx_dataset("mnist")


def load_fashion_mnist() -> tuple[Split, Split]:
    """``keras.datasets.fashion_mnist.load_data()``'s arrays, offline; a French error when not prepared."""
    return load_idx_dataset("fashion-mnist")


def cifar10_prepared() -> bool:
    """Whether ``autograder data prepare`` installed CIFAR-10 where ``keras.datasets.cifar10.load_data()`` looks.

    The archive is renamed into place only once verified, so its presence means the official file.
    """
    return cifar10_archive().is_file()
