"""The datasets the course uses: their files, official checksums and download locations.

Every file is identified by its SHA-256 (the mirror's ``SHA256SUMS``); the MNIST and
Fashion-MNIST archives also carry the MD5 that torchvision's loaders check.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Archive:
    """An official archive a file is extracted from when no mirror holds the file."""

    url: str
    sha256: str
    member: str


@dataclass(frozen=True)
class DataFile:
    """One raw dataset file as published upstream.

    Attributes:
        dataset: folder name in the mirror (``mnist``, ``fashion-mnist``, ...).
        name: file name, identical in the mirror and upstream.
        sha256: checksum of the file itself.
        md5: the MD5 torchvision checks for this file, when it checks one.
        urls: official locations of the file itself, tried in order.
        archive: official archive holding the file, when it is not published alone.
    """

    dataset: str
    name: str
    sha256: str
    md5: str | None = None
    urls: tuple[str, ...] = ()
    archive: Archive | None = None

    @property
    def mirror_path(self) -> str:
        """Path of the file relative to the mirror's root."""
        return f"{self.dataset}/{self.name}"


_TORCH_MNIST = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_FASHION = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)


def _idx_files(dataset: str, bases: tuple[str, ...], sums: dict[str, tuple[str, str]]) -> tuple[DataFile, ...]:
    return tuple(
        DataFile(dataset, name, sha256, md5, tuple(base + name for base in bases))
        for name, (sha256, md5) in sums.items()
    )


MNIST_FILES = _idx_files(
    "mnist",
    _TORCH_MNIST,
    {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "d53e105ee54ea40749a09fcbcd1e9432",
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "9fb629c4189551a2d022fa330f9573f3",
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "ec29112dd5afa0611ce80d1b7f02629c",
        ),
    },
)

FASHION_MNIST_FILES = _idx_files(
    "fashion-mnist",
    _FASHION,
    {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "25c81989df183df01b3e8a0aad5dffbe",
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "bef4ecab320f06d8554ea6380940ec79",
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "bb300cfdad3c16e7a12a480ee83cd310",
        ),
    },
)

#: scikit-learn downloads this archive (figshare record) and reads one member of it.
CAL_HOUSING_ARCHIVE = Archive(
    url="https://ndownloader.figshare.com/files/5976036",
    sha256="aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681",
    member="CaliforniaHousing/cal_housing.data",
)

CALIFORNIA_FILES = (
    DataFile(
        "california_housing",
        "cal_housing.data",
        "a2b44dcc7e1c9091b43c4f458b25cbd1f7e8068d08edd26bc4703108d3fa6214",
        archive=CAL_HOUSING_ARCHIVE,
    ),
)

#: CIFAR-10 (TP3), the official python archive. Its MD5 is the one published on the dataset's page; its SHA-256
#: is the one ``keras.datasets.cifar10.load_data()`` checks (keras/src/datasets/cifar10.py).
CIFAR10_FILES = (
    DataFile(
        "cifar-10",
        "cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        "c58f30108f718f92721af3b95e74349a",
        ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
    ),
)

DATASETS: dict[str, tuple[DataFile, ...]] = {
    "california_housing": CALIFORNIA_FILES,
    "mnist": MNIST_FILES,
    "fashion-mnist": FASHION_MNIST_FILES,
    "cifar-10": CIFAR10_FILES,
}

#: Datasets that ``prepare()`` without names installs when it can and otherwise reports unavailable (it still
#: succeeds): nothing graded depends on them. Named explicitly, a missing one is an error.
OPTIONAL = frozenset({"cifar-10"})
