"""Where the kit keeps datasets and where each framework's standard loader looks for them.

Environment variables (all optional):
    DLKIT_DATA: the kit's data folder (default ``~/.cache/dlkit``); torchvision's
        root is its ``torchvision`` sub-folder.
    DLKIT_DATASET_MIRROR: a local mirror of the raw files (default: ``shared/datasets``
        beside the repository, when it exists).
    SCIKIT_LEARN_DATA, KERAS_HOME: honoured as scikit-learn and Keras honour them.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.paths import KIT_ROOT


def kit_data_home() -> Path:
    """The kit's own data folder."""
    return Path(os.environ.get("DLKIT_DATA", Path.home() / ".cache" / "dlkit")).expanduser()


def torchvision_root() -> Path:
    """The ``root`` to pass to ``torchvision.datasets.MNIST`` and ``FashionMNIST``."""
    return kit_data_home() / "torchvision"


def sklearn_data_home() -> Path:
    """scikit-learn's ``data_home``, as ``sklearn.datasets.get_data_home()`` resolves it."""
    default = Path.home() / "scikit_learn_data"
    return Path(os.environ.get("SCIKIT_LEARN_DATA", default)).expanduser()


def keras_datasets_dir() -> Path:
    """The folder where ``keras.utils.get_file`` caches dataset files."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


def default_mirror() -> Path | None:
    """The mirror named by ``DLKIT_DATASET_MIRROR``, else ``shared/datasets`` beside the kit."""
    named = os.environ.get("DLKIT_DATASET_MIRROR")
    if named:
        return Path(named).expanduser()
    for candidate in (KIT_ROOT.parent / "shared" / "datasets", KIT_ROOT / "shared" / "datasets"):
        if candidate.is_dir():
            return candidate
    return None
