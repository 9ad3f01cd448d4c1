"""Graders of assignment 00_fundamentals: PyTorch and Keras fundamentals, and a multiple-choice quiz."""

NAME = "00_fundamentals"
TASKS = ("activations", "tensors", "autograd", "descent", "momentum", "regression", "convolution", "losses",
         "batching", "cnn", "qcm")
#: torch._dynamo (which loads triton) must come before keras: importing triton once TensorFlow is loaded
#: crashes the process (torch 2.14 + TensorFlow 2.21), and creating a torch optimizer imports it.
PRELOAD = ("torch", "torch._dynamo", "keras")
TIME_LIMIT_S = 120
