"""Graders of assignment 08_attention: scaled dot-product attention, a custom Keras attention layer on a task where
one place matters, sequence-to-sequence forecasting with cross-attention (windows, chronological split, teacher
forcing, step-by-step inference, MLflow, figure, quality), a quiz, and the research challenge (graded by hand,
with provisional automatic estimates)."""

NAME = "08_attention"
TASKS = ("attention", "layer", "marker", "windows", "teacher_forcing", "seq2seq", "training", "inference", "figure",
         "quality", "qcm", "research")
PRELOAD = ("keras", "mlflow")
TIME_LIMIT_S = 300
