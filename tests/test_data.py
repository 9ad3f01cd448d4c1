"""``autograder data prepare``: verified, atomic installation where the standard loaders look."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.data import DatasetError, DatasetMissing, load_fashion_mnist, load_mnist, prepare
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
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert set(np.unique(y_train)) == set(range(10))
    (kit_x_train, kit_y_train), (kit_x_test, kit_y_test) = load_fashion_mnist()  # what 03's notebook loads
    for kit, expected in ((kit_x_train, x_train), (kit_y_train, y_train), (kit_x_test, x_test), (kit_y_test, y_test)):
        assert kit.dtype == expected.dtype and np.array_equal(kit, expected)


def test_kit_loader_without_its_dataset_names_the_command(caches):
    with pytest.raises(DatasetMissing) as error:
        load_fashion_mnist()
    assert str(error.value).startswith("Le jeu de données Fashion-MNIST n'est pas installé sur cette machine")
    assert "Installez-le avec la commande : autograder data prepare\n" in str(error.value)
    assert isinstance(error.value, DatasetError)
    # In a notebook, IPython shows these lines instead of a traceback.
    assert [line.split(" (")[0] for line in error.value._render_traceback_()] == [
        "\x1b[31m\x1b[1mLe jeu de données Fashion-MNIST n'est pas installé sur cette machine",
        "Installez-le avec la commande : autograder data prepare",
        "(dans un terminal, ou dans une cellule : !autograder data prepare), puis réexécutez cette cellule."]


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
    assert "mnist/t10k-labels-idx1-ubyte.gz : somme de contrôle incorrecte (SHA-256 attendu " in message
    assert expected in message and message.endswith("Solution : remplacez " + str(victim) + " par le fichier officiel "
                                                    "(`sha256sum -c SHA256SUMS` dans le miroir).")
    raw = caches / "kit" / "torchvision" / "MNIST" / "raw"
    assert not (raw / victim.name).exists()
    assert not list(raw.glob("*.part")) and not list(raw.glob(".*part"))


def test_missing_file_in_the_mirror_says_where_it_was_expected(caches, tmp_path):
    mirror = _mirror_copy(tmp_path, "mnist")
    (mirror / "mnist" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte\.gz : introuvable dans le miroir"):
        prepare(["mnist"], mirror)


def test_no_mirror_and_no_network_gives_a_clear_error(caches, monkeypatch):
    import urllib.request

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetError, match=r"téléchargement impossible .*--mirror"):
        prepare(["california_housing"], use_mirror=False)
    assert not (caches / "sklearn" / "cal_housing_py3.pkz").exists()


def test_missing_prepared_files_tell_the_student_what_to_run(caches):
    with pytest.raises(DatasetError, match="autograder data prepare"):
        load_mnist()


def test_cifar10_is_registered_with_its_official_archive_and_checksums():
    (item,) = DATASETS["cifar-10"]
    assert item.urls == ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",)
    assert item.md5 == "c58f30108f718f92721af3b95e74349a"
    assert item.sha256 == "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"  # what Keras checks


def test_unavailable_cifar10_is_reported_and_preparing_everything_still_succeeds(caches, tmp_path, capsys):
    from autograder.cli import main

    mirror = _mirror_copy(tmp_path, "mnist")
    for dataset in ("fashion-mnist", "california_housing"):
        shutil.copytree(MIRROR / dataset, mirror / dataset)
    assert main(["data", "prepare", "--mirror", str(mirror)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "cifar-10" in line)
    assert "indisponible" in line and "cifar-10-python.tar.gz : introuvable dans le miroir" in line
    assert "(facultatif : rien de noté n'en dépend)" in line
    assert {line.split()[0] for line in out.splitlines() if "cifar-10" not in line} == {"installé"}, out
    assert not (caches / "keras" / "datasets" / "cifar-10-batches-py-target_archive").exists()


def test_cifar10_named_alone_but_unavailable_exits_2_saying_why(caches, tmp_path, capsys):
    from autograder.cli import main

    assert main(["data", "prepare", "--dataset", "cifar-10", "--mirror", str(tmp_path)]) == 2
    assert "cifar-10/cifar-10-python.tar.gz : introuvable dans le miroir" in capsys.readouterr().err
    assert main(["data", "prepare", "--dataset", "imagenet"]) == 2
    assert capsys.readouterr().err == ("erreur : jeu de données inconnu : imagenet (jeux connus : california_housing, "
                                       "cifar-10, fashion-mnist, mnist)\n")


def test_cifar10_is_installed_where_keras_load_data_looks(caches, tmp_path, monkeypatch):
    """A stand-in archive (same layout as the official one) checked under its own SHA-256 loads with Keras."""
    import dataclasses
    import importlib
    import io
    import pickle
    import tarfile

    import keras

    from autograder.data import cifar10_prepared
    from autograder.data.locations import keras_datasets_dir
    from autograder.data.prepare import sha256_of

    prepare_module = importlib.import_module("autograder.data.prepare")  # the package exports prepare(), a function

    archive = tmp_path / "mirror" / "cifar-10" / "cifar-10-python.tar.gz"
    archive.parent.mkdir(parents=True)
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for number, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
            batch = {b"data": np.full((10000, 3072), number, dtype=np.uint8), b"labels": [number] * 10000}
            payload = pickle.dumps(batch)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    (item,) = DATASETS["cifar-10"]
    stand_in = dataclasses.replace(item, sha256=sha256_of(archive))
    monkeypatch.setitem(prepare_module.DATASETS, "cifar-10", (stand_in,))
    import keras.src.datasets.cifar10 as keras_cifar10
    import keras.src.utils.file_utils as file_utils

    original = file_utils.get_file
    # Keras reads KERAS_HOME once, when first imported (perhaps by an earlier test): name the caches' folder.
    keras_home = str(keras_datasets_dir().parent)
    monkeypatch.setattr(keras_cifar10, "get_file", lambda **kwargs: original(
        **{**kwargs, "file_hash": stand_in.sha256, "cache_dir": keras_home}))
    assert not cifar10_prepared()
    prepare(["cifar-10"], archive.parents[1])
    assert cifar10_prepared()
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (50000, 32, 32, 3) and y_train.shape == (50000, 1) and x_test.shape == (10000, 32, 32, 3)
    assert x_train[-1, 0, 0, 0] == y_train[-1, 0] == 4 and x_test[0, 0, 0, 0] == y_test[0, 0] == 5


def test_generated_shapes_are_deterministic_balanced_and_shaped_like_cifar10():
    from autograder.data.synthetic import make_shapes

    x, y = make_shapes(200, seed=3)
    again, labels = make_shapes(200, seed=3)
    assert x.shape == (200, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (200, 1) and y.dtype == np.uint8
    assert np.array_equal(x, again) and np.array_equal(y, labels)
    assert np.bincount(y.ravel()).tolist() == [20] * 10
    assert not np.array_equal(x, make_shapes(200, seed=4)[0])
