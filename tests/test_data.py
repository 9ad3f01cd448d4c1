"""``autograder data prepare``: verified, atomic installation where the standard loaders look."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.data import DatasetError, load_mnist, prepare
from autograder.data.locations import default_mirror
from autograder.data.registry import DATASETS

MIRROR = default_mirror()
pytestmark = pytest.mark.skipif(MIRROR is None, reason="needs the local dataset mirror")


@pytest.fixture
def caches(tmp_path, monkeypatch) -> Path:
    """Every cache redirected into a scratch folder."""
    for variable, folder in (("DLKIT_DATA", "kit"), ("SCIKIT_LEARN_DATA", "sklearn"), ("KERAS_HOME", "keras")):
        monkeypatch.setenv(variable, str(tmp_path / folder))
    return tmp_path


def _mirror_copy(tmp_path: Path, dataset: str) -> Path:
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR / dataset, mirror / dataset)
    return mirror


def test_california_housing_loads_offline_as_scikit_learn_builds_it(caches):
    from sklearn.datasets import fetch_california_housing

    prepare(["california_housing"], MIRROR)
    data = fetch_california_housing(download_if_missing=False)
    assert data.data.shape == (20640, 8)
    assert data.data[:, 0].mean() == pytest.approx(3.870671, abs=1e-6)
    assert data.target.mean() == pytest.approx(2.068558, abs=1e-6)


def test_mnist_loads_with_torchvision_and_keras_arrays(caches):
    import torchvision

    from autograder.data import torchvision_root

    prepare(["mnist"], MIRROR)
    dataset = torchvision.datasets.MNIST(torchvision_root(), train=False, download=True)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == ((60000, 28, 28), (60000,),
                                                                          (10000, 28, 28), (10000,))
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.array_equal(x_test, dataset.data.numpy()) and np.array_equal(y_test, dataset.targets.numpy())


def test_fashion_mnist_loads_with_keras_offline(caches):
    import keras

    prepare(["fashion-mnist"], MIRROR)
    (x_train, y_train), (x_test, _) = keras.datasets.fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert set(np.unique(y_train)) == set(range(10))


def test_second_run_finds_everything_in_place(caches):
    prepare(["mnist"], MIRROR)
    assert {step.action for step in prepare(["mnist"], MIRROR)} == {"already present"}


def test_corrupt_file_is_named_with_its_checksum_and_leaves_nothing(caches, tmp_path):
    mirror = _mirror_copy(tmp_path, "mnist")
    victim = mirror / "mnist" / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:-10])
    with pytest.raises(DatasetError) as error:
        prepare(["mnist"], mirror)
    message = str(error.value)
    expected = next(f.sha256 for f in DATASETS["mnist"] if f.name == victim.name)
    assert "mnist/t10k-labels-idx1-ubyte.gz" in message and expected in message and "Fix:" in message
    raw = caches / "kit" / "torchvision" / "MNIST" / "raw"
    assert not (raw / victim.name).exists()
    assert not list(raw.glob("*.part")) and not list(raw.glob(".*part"))


def test_missing_file_in_the_mirror_says_where_it_was_expected(caches, tmp_path):
    mirror = _mirror_copy(tmp_path, "mnist")
    (mirror / "mnist" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte\.gz: not found in the mirror"):
        prepare(["mnist"], mirror)


def test_no_mirror_and_no_network_gives_a_clear_error(caches, monkeypatch):
    import urllib.request

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetError, match=r"could not download it .*--mirror"):
        prepare(["california_housing"], use_mirror=False)
    assert not (caches / "sklearn" / "cal_housing_py3.pkz").exists()


def test_missing_prepared_files_tell_the_student_what_to_run(caches):
    with pytest.raises(DatasetError, match="autograder data prepare"):
        load_mnist()
