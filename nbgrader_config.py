"""nbgrader configuration of the kit: sources in solutions/, releases in assignments/."""

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
# Scores come from the kit's sandboxed grading of the submitted file (graded once, before the
# student's code runs in a kernel), never from what the student's kernel prints: see
# autograder/nbgrader_scores.py. Execute still runs the notebook, for the outputs of the feedback.
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader_scores.SandboxGrade",
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "autograder.nbgrader_scores.SandboxScores",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
