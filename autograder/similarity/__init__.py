"""Code and text similarity across a batch of submissions, for the instructor's eyes only.

:mod:`~autograder.similarity.units` cuts a notebook into what the student wrote (functions, cells,
paragraphs), :mod:`~autograder.similarity.compare` fingerprints and ranks with copydetect,
:mod:`~autograder.similarity.page` writes the page, :mod:`~autograder.similarity.batch` is the command and
the class page's section. Instructor-only: the package is left out of every bundle
(:data:`autograder.distribution.bundle.INSTRUCTOR_ONLY`), its library too, and nothing of it reaches a
student's feedback or score.
"""
