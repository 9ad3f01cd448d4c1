"""nbgrader configuration of the kit: sources in solutions/, releases in assignments/."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# The course is the folder of this file, whatever the current folder (nbgrader warns on every command about a
# relative root, and a relative gradebook would follow the current folder).
COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))  # traitlets sets __file__ when it loads a config
c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")

c.ClearSolutions.code_stub = {"python": "# VOTRE CODE ICI\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "VOTRE RÉPONSE ICI"
c.GenerateAssignment.create_assignment = True
# Student notebooks are committed without outputs; the graded cells print their own feedback.
c.ClearOutput.enabled = True
c.Execute.timeout = 600
# nbgrader checks each locked cell against the gradebook's copy saved before the hidden tests were cleared: without
# RestoreReleasedCells, every untouched test cell would be reported as changed (jupyter/nbgrader#1961). A cell
# edited by the student is still reported, and restored.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.nbgrader_cells.RestoreReleasedCells",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
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

# Late penalties: with a course policy beside this file (autograder.late_policy), nbgrader's late step takes off the
# points that `autograder grade --policy` gives; without one, nbgrader's default (no penalty).
POLICY_FILE = os.path.join(COURSE_ROOT, "course_policy.toml")
if os.path.exists(POLICY_FILE):
    c.AssignLatePenalties.plugin_class = "autograder.nbgrader_late.PolicyLatePlugin"
    c.PolicyLatePlugin.policy_file = POLICY_FILE
