"""Graders of assignment 05_improving_networks: bias and variance, regularisation, optimizers and batch
normalisation on MNIST (Keras), with the comparisons tracked in MLflow."""

NAME = "05_improving_networks"
TASKS = ("data", "model", "diagnosis", "curves", "regularization", "optimizers", "tracking", "batchnorm",
         "quality")
PRELOAD = ("keras", "mlflow")
TIME_LIMIT_S = 300
