"""nbgrader configuration of the kit: sources in solutions/, releases in assignments/."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

c.ClearSolutions.code_stub = {"python": "# VOTRE CODE ICI\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "VOTRE RÉPONSE ICI"
c.GenerateAssignment.create_assignment = True
# Student notebooks are committed without outputs; the graded cells print their own feedback.
c.ClearOutput.enabled = True
c.Execute.timeout = 600
# Scores come from the kit's sandboxed grading of the submitted file, never from what the student's
# kernel prints: see autograder/nbgrader_scores.py. The student's notebook is not executed again in
# an nbgrader kernel, which would run the student's code unconfined, as the instructor, next to the
# gradebook: the feedback shows the outputs the student saved, and each graded cell the sandbox's
# result. DLKIT_NBGRADER_EXECUTE=1 restores nbgrader's Execute step (live outputs in the feedback),
# for trusted notebooks only.
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader_scores.SandboxGrade",
    *(["nbgrader.preprocessors.Execute"] if os.environ.get("DLKIT_NBGRADER_EXECUTE") == "1" else []),
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "autograder.nbgrader_scores.SandboxScores",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
