"""The instructor's delivery commands: ``bundle``, ``classroom``, ``gradescope``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.distribution.bundle import KINDS, BundleError, build


def _bundle(args: argparse.Namespace) -> int:
    try:
        wheel = build(args.kind, Path(args.out))
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{wheel}  (pip install \"{wheel}[frameworks]\")")
    return 0


def _classroom(args: argparse.Namespace) -> int:
    from autograder.distribution.classroom import write_repository

    workflow = write_repository(args.assignment, Path(args.out), args.private_graders)
    print(f"GitHub Classroom repository written to {args.out}/ (workflow: {workflow})")
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.distribution.gradescope import write_zip

    print(f"Gradescope autograder written to {write_zip(args.assignment, Path(args.out))}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the delivery commands on the ``autograder`` parser."""
    bundle = commands.add_parser("bundle", help="build the students' or the graders' installable package")
    bundle.add_argument("kind", choices=sorted(KINDS), help="student: public graders and notebooks; "
                                                            "grader: all graders, for grading machines")
    bundle.add_argument("--out", default="dist", help="folder for the wheel (default dist/)")
    bundle.set_defaults(run=_bundle)

    classroom = commands.add_parser("classroom", help="write a GitHub Classroom assignment repository")
    classroom.add_argument("assignment")
    classroom.add_argument("--out", required=True, help="the repository's folder")
    classroom.add_argument("--private-graders", metavar="OWNER/REPO",
                           help="private repository holding the full graders (hidden tests count)")
    classroom.set_defaults(run=_classroom)

    gradescope = commands.add_parser("gradescope", help="write Gradescope's autograder zip")
    gradescope.add_argument("assignment")
    gradescope.add_argument("--out", default="autograder.zip", help="zip to write (default autograder.zip)")
    gradescope.set_defaults(run=_gradescope)
