"""Graders of assignment 04_mnist_mlops: a dense MNIST classifier taken to production (MLflow, Flask, Docker)."""

NAME = "04_mnist_mlops"
TASKS = ("data", "model", "train", "save", "tracking", "api", "client", "docker", "quiz", "quality")
PRELOAD = ("keras", "mlflow")
TIME_LIMIT_S = 240
