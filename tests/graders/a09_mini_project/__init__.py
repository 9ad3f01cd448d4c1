"""Graders of assignment 09_mini_project: improve a baseline Keras CNN on MNIST, with a report.

Rubric (out of 20, as in the course): code quality 4, relevance of the modifications 6,
effective improvement 4, critical analysis 3, documentation 3. Analysis and documentation are
graded by hand (nbgrader manual cells); their checks are automatic, provisional estimates.
"""

NAME = "09_mini_project"
TASKS = ("relevance", "improvement", "code_quality", "documentation", "analysis")
PRELOAD = ("keras",)
TIME_LIMIT_S = 300  # about 40 s on an idle 2-core machine; a busy one (CI, batches) needs the margin
