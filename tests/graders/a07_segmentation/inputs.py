"""Inputs of 07_segmentation's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import numpy as np

#: The statement's data: a disc per image, centre at least MARGIN px from the borders, radius in RADII.
MARGIN, RADII, NOISE = 20.0, (10.0, 25.0), 0.1
SMOOTH = 1e-6
#: The functions the student writes (all must be written before the two-backend check reads them).
GRADED_FUNCTIONS = ("make_discs", "dice_coefficient", "dice_loss", "iou", "conv_block", "build_unet", "train_unet",
                    "predict_masks", "plot_segmentation", "build_conv3d_model", "track_conv3d")
#: MLflow names the statement prescribes (the seed's).
EXPERIMENT, RUN = "3D_Volumetric_Analysis", "Conv3D_Baseline"
ARCHITECTURE = "architecture.json"
#: The tracked training: few small volumes, one epoch (the run's content is judged, not the model's quality);
#: 17 volumes: ceil(17 / b) steps tell the default batch of 8 from 7, 9 and Keras' 32.
VOLUME = 32
TRACKED_TRAIN, TRACKED_VAL, TRACKED_EPOCHS, TRACKED_BATCH = 17, 8, 1, 8


def grader_discs(n: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The grader's own discs (never the student's make_discs): the statement's proportions scaled to ``size``
    (centre at least 20/128 of the side from the borders, radius 10/128 to 25/128 of it, noise 0.1, clipped),
    float32 images and masks (n, size, size, 1)."""
    rng = np.random.default_rng(seed)
    scale = size / 128
    rows, cols = np.mgrid[0:size, 0:size]
    images = np.zeros((n, size, size, 1), dtype=np.float32)
    masks = np.zeros((n, size, size, 1), dtype=np.float32)
    for k in range(n):
        cy, cx = rng.uniform(MARGIN * scale, size - MARGIN * scale, size=2)
        radius = rng.uniform(RADII[0] * scale, RADII[1] * scale)
        disc = (rows - cy) ** 2 + (cols - cx) ** 2 <= radius**2
        masks[k, :, :, 0] = disc
        images[k, :, :, 0] = np.clip(disc + rng.normal(0.0, NOISE, size=(size, size)), 0.0, 1.0)
    return images, masks


def grader_volumes(n: int, seed: int) -> list[np.ndarray]:
    """``[volumes, labels]``: (n, 32, 32, 32, 1) float32 noise, a bright cube in the odd ones (label 1)."""
    rng = np.random.default_rng(seed)
    volumes = rng.normal(0.0, 0.3, size=(n, VOLUME, VOLUME, VOLUME, 1)).astype(np.float32)
    labels = (np.arange(n) % 2).astype(np.float32)
    for k in np.flatnonzero(labels):
        z, y, x = rng.integers(4, VOLUME - 12, size=3)
        volumes[k, z:z + 8, y:y + 8, x:x + 8, 0] += 1.0
    return [volumes, labels]


def mask_pairs(seed: int, shape: tuple[int, ...] = (1, 6, 6, 1)) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Named ``(y_true, y_pred)`` pairs for the metrics, float32: exact match, disjoint masks, soft values."""
    rng = np.random.default_rng(seed)
    true = (rng.random(shape) < 0.3).astype(np.float32)
    true.reshape(-1)[:2] = (1.0, 0.0)
    return {"identiques": (true, true.copy()),
            "disjoints": (true, 1.0 - true),
            "probabilités quelconques": (true, rng.random(shape).astype(np.float32))}


def probability_inputs(seed: int, avoid: tuple[float, ...]) -> np.ndarray:
    """Pixels in [0, 1] (2, 16, 16, 1) float32, none within 0.02 of a value of ``avoid``."""
    x = np.random.default_rng(seed).random((2, 16, 16, 1)).astype(np.float32)
    for value in avoid:
        x[np.abs(x - value) < 0.02] = value + 0.05
    return x
