"""Graders of assignment 07_segmentation: simulated discs, Dice and IoU, a U-Net trained with the Dice loss,
thresholded predictions, and a Conv3D volume classifier tracked in MLflow (Keras 3, any backend)."""

NAME = "07_segmentation"
TASKS = ("data", "metrics", "unet", "train", "predictions", "conv3d", "tracking", "backend", "quality")
PRELOAD = ("keras", "mlflow")
TIME_LIMIT_S = 300
