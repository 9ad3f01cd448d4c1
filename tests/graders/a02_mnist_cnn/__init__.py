"""Graders of assignment 02_mnist_cnn: MNIST with a small PyTorch CNN."""

NAME = "02_mnist_cnn"
TASKS = ("data", "model", "train", "evaluate", "confusion", "graph", "quality")
#: torchvision before the integrity snapshot: importing it loads torch._dynamo, which wraps torch.manual_seed.
PRELOAD = ("torch", "torchvision")
TIME_LIMIT_S = 150
