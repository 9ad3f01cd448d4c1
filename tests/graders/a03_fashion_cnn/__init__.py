"""Graders of assignment 03_fashion_cnn: Fashion-MNIST, a dense baseline against a Keras CNN with augmentation."""

NAME = "03_fashion_cnn"
TASKS = ("preprocess", "baseline", "cnn", "augment", "train", "evaluate", "curves", "quality")
PRELOAD = ("keras",)
TIME_LIMIT_S = 300
