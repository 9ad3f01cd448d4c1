"""Datasets: a verified local mirror (or upstream) installed where the standard loaders look."""

from autograder.data.loaders import cifar10_prepared, load_fashion_mnist, load_idx_dataset, load_mnist
from autograder.data.locations import torchvision_root
from autograder.data.prepare import DatasetError, DatasetMissing, prepare

__all__ = ["DatasetError", "DatasetMissing", "cifar10_prepared", "load_fashion_mnist", "load_idx_dataset", "load_mnist",
           "prepare", "torchvision_root"]
