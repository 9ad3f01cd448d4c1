"""Graders of assignment 06_cnn_resnet: CIFAR-10's CNN and mini-ResNet, style-transfer losses on VGG16 features and
a detection head (Keras 3, any backend); training behaviour is graded on the kit's generated 32×32 image set."""

NAME = "06_cnn_resnet"
TASKS = ("data", "cnn", "resnet", "training", "curves", "vgg", "style", "detection", "backend", "quality")
PRELOAD = ("keras",)
TIME_LIMIT_S = 300
