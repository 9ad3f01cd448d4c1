"""nbgrader's late-penalty step computed by the course policy, so that nbgrader and ``autograder grade`` agree.

nbgrader's ``AssignLatePenalties`` preprocessor (run by ``nbgrader autograde``) asks its plugin for each late
notebook's penalty, in points, and keeps it between 0 and the notebook's score. With, in
``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "autograder.nbgrader_late.PolicyLatePlugin"
    c.PolicyLatePlugin.policy_file = "course_policy.toml"

the penalty is the one :func:`autograder.late_policy.penalty` gives for the submission's ``timestamp.txt`` (the
time nbgrader stored), the student's extensions and accommodations of the policy, and the notebook's score: the
same number ``autograder grade --policy`` writes into the gradebook (:mod:`autograder.export.nbgrader_db`).
nbgrader's own extensions are not added: the policy holds them.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Unicode

from autograder.late_policy import CoursePolicy, penalty, read_policy
from autograder.submission_times import Handed


def policy_points(policy: CoursePolicy, assignment: str, student: str, timestamp, score: float) -> float | None:
    """Points off for a submission nbgrader stored at ``timestamp`` (naive UTC, as nbgrader keeps it)."""
    if timestamp is None:
        return None
    handed = Handed(timestamp.replace(tzinfo=UTC) if timestamp.tzinfo is None else timestamp, "nbgrader")
    found = penalty(policy, assignment, (student,), handed, score)
    return found.points if found else None


class PolicyLatePlugin(LateSubmissionPlugin):
    """nbgrader's late-submission plugin reading the course policy (None: no penalty, as nbgrader's default)."""

    policy_file = Unicode("", help="The course policy (TOML or YAML) of autograder.late_policy.").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        if not self.policy_file:
            return None
        parent = self.parent  # nbgrader's AssignLatePenalties, its gradebook open
        submission = parent.gradebook.find_submission(parent.assignment_id, student_id)
        return policy_points(read_policy(Path(self.policy_file)), parent.assignment_id, student_id,
                             submission.timestamp, score)

