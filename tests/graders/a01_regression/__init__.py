"""Graders of assignment 01_regression: California Housing with a Keras MLP."""

NAME = "01_regression"
TASKS = ("split", "scale", "model", "train", "metrics", "plot", "quality")
PRELOAD = ("keras",)
TIME_LIMIT_S = 240
