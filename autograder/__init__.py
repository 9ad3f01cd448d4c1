"""Auto-grading engine of the deep-learning exercise kit."""

__version__ = "0.1.0"
