"""Checks shared by every assignment: expectations, model architectures, figures, thresholds."""
