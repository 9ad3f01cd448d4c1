"""Fixed seeds and limited threads, so that a submission gets the same grade every time."""

from __future__ import annotations

import os
import random
import sys

import numpy as np

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


def sandbox_environment(threads: int) -> dict[str, str]:
    """Environment variables that fix thread counts and quiet the frameworks (before they import)."""
    env = {name: str(threads) for name in THREAD_VARIABLES}
    env.update(
        PYTHONHASHSEED="0",
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_DETERMINISTIC_OPS="1",
        TF_ENABLE_ONEDNN_OPTS="0",
        KERAS_BACKEND="tensorflow",
        MPLBACKEND="Agg",
        CUDA_VISIBLE_DEVICES="",
        MLFLOW_DISABLE_TELEMETRY="true",  # MLflow's usage reports: a thread that calls a remote server
        DO_NOT_TRACK="true",
    )
    return env


def limit_framework_threads(threads: int) -> None:
    """Apply the thread limit to frameworks that are already imported."""
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(threads)
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # already initialised: the environment variables applied
            pass
        tf.config.experimental.enable_op_determinism()


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and the frameworks already imported (never imports one)."""
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)
    elif "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
