"""Delivering the course: the packages students and grading machines install, Classroom and Gradescope.

Instructor-side only: nothing here ships in a bundle (:data:`bundle.INSTRUCTOR_ONLY`).
"""
