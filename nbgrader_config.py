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
# Partial credit: a graded cell's value is its score, and frameworks' log lines are not errors.
c.Execute.timeout = 600
