"""The ``autograder`` command: the students' commands, in French, and the way to everyone else's.

Students run ``start``, ``check`` and ``data prepare``; ``autograder --help`` lists these only, and
``--version`` says which build of the kit is installed. Every other command (``grade``, ``report``,
``bundle``...: instructors and grading machines) is handed to :mod:`autograder.cli`, whose parser also
registers the students' commands from here, and ``autograder --help-all`` lists them all.

Nothing of the grading machinery is imported before it is needed: ``--version``, ``--help`` and
``start`` answer at once, and ``check`` loads the graders only once its arguments are read.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from autograder.grading.assignments import UnknownAssignment

PROG = "autograder"
DESCRIPTION = "Le kit du cours d'apprentissage profond : vos notebooks, leurs tests publics et les données."
EPILOG = ("Aide d'une commande : autograder COMMANDE --help. Toutes les commandes (enseignants, machines de "
          "correction) : autograder --help-all.")
#: argparse's own messages, in French (the first pattern that matches; anything else as argparse wrote it).
MESSAGES = (
    (r"argument COMMANDE: invalid choice: '?(.*?)'? \(choose from .*\)",
     r"commande inconnue « \1 » (autograder --help liste les commandes)"),
    (r"the following arguments are required: (.*)", r"il manque : \1"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (r"argument (.*?): expected one argument", r"\1 attend une valeur"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", r"\1 : \2 n'existe pas (choix : \3)"),
    (r"argument (.*?): invalid (\w+) value: (.*)", r"\1 : valeur invalide \3"),
)


class Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help, with a French usage line."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An argument parser that speaks French: usage, section titles, ``-h`` and the usual errors."""

    #: Its subcommands (set by :func:`student_parser`).
    commands: argparse._SubParsersAction

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", Formatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "arguments", "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="affiche cette aide et quitte")

    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, french in MESSAGES:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, french, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


class SelectionError(LookupError):
    """``--check`` or ``--task`` names nothing that the assignment(s) graded can run."""


def selection(args: argparse.Namespace, assignments: Callable[[], list[str]],
              include_hidden: bool = True) -> frozenset[str] | None:
    """The checks and tasks named by ``--check`` and ``--task`` (None: all).

    Only what runs counts: with ``include_hidden`` False (``check``), or where the hidden tests are not
    installed (the students' package), a task graded by hidden tests alone is refused, saying so.

    Raises:
        SelectionError: a name is neither a check nor a task with a test to run in ``assignments()``
            (called only for a selection).
    """
    from autograder.grading.assignments import load_assignment

    names = frozenset([*(getattr(args, "check", None) or ()), *(args.task or ())])
    if not names:
        return None
    graders = [load_assignment(name, include_hidden=include_hidden) for name in assignments()]
    known = {n for a in graders for c in a.checks for n in (c.name, c.task)}
    if not (unknown := sorted(names - known)):
        return names
    runnable = sorted({c.task for a in graders for c in a.checks})
    hidden = [name for name in unknown if any(name in a.tasks for a in graders)]
    if hidden:
        raise SelectionError(f"la tâche {', '.join(hidden)} n'a pas de test public : elle n'est notée que par les "
                             f"tests cachés, à la correction. Tâches vérifiables ici : {', '.join(runnable)}")
    raise SelectionError(f"aucun test ni aucune tâche ne s'appelle {', '.join(unknown)}. "
                         f"Tâches : {', '.join(runnable)}")


def assignment_of(path: Path, name: str | None) -> str | None:
    """The assignment a notebook belongs to, or None when it cannot be read (it is graded as unreadable)."""
    from autograder.grading.engine import AssignmentNotFound, resolve_assignment
    from autograder.grading.notebook import NotebookError, read_notebook

    try:
        return resolve_assignment(path, read_notebook(path), name)
    except (NotebookError, AssignmentNotFound):
        return None


def _check(args: argparse.Namespace) -> int:
    # jsonschema (under nbformat) builds rfc3987_syntax's IRI grammars when imported: 1 to 2 s of the check's
    # start, for a format that no notebook schema uses (python-jsonschema/jsonschema#1428). Without the
    # module, jsonschema leaves the "iri" format unchecked, as it does wherever the module is not installed.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from autograder.grading.engine import grade_notebook, resolve_assignment
    from autograder.grading.zygote import WEAK_ISOLATION_ENV
    from autograder.report import format_submission

    os.environ[WEAK_ISOLATION_ENV] = "1"  # the student's own notebook, on their own machine
    path = Path(args.notebook)
    only = selection(args, lambda: [assignment_of(path, args.assignment)
                                    or resolve_assignment(path, None, args.assignment)], include_hidden=False)
    result = grade_notebook(path, args.assignment, include_hidden=False, only=only, ahead=False)  # one notebook
    print(format_submission(result))
    return 0 if result.tests and result.score == result.max_score else 1


def _start(args: argparse.Namespace) -> int:
    from autograder.paths import ASSIGNMENTS_DIR

    source = ASSIGNMENTS_DIR / args.assignment / f"{args.assignment}.ipynb"
    if not source.is_file():
        raise UnknownAssignment(args.assignment, sorted(p.name for p in ASSIGNMENTS_DIR.iterdir() if p.is_dir()))
    target = Path(args.to) / source.name
    if target.exists():
        print(f"erreur : {target} existe déjà : votre travail est conservé (supprimez ou renommez ce fichier pour "
              f"repartir du notebook du cours)", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    print(f"{target} : ouvrez-le dans Jupyter, complétez les fonctions, puis `autograder check {target}`.")
    return 0


def _data_prepare(args: argparse.Namespace) -> int:
    from autograder.data.prepare import DatasetError, prepare

    try:
        prepare(args.dataset or None, Path(args.mirror) if args.mirror else None, args.force,
                report=lambda step: print(f"{step.label:>16}  {step.dataset:<18} {step.detail or step.path}"),
                use_mirror=not args.download)
    except DatasetError as error:
        print(f"erreur : {error}", file=sys.stderr)
        return 2
    return 0


def add_student_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``start``, ``check`` and ``data prepare`` (here, and on :mod:`autograder.cli`'s full parser)."""
    start = commands.add_parser("start", help="copie le notebook d'un devoir (sans écraser votre travail)",
                                description="Copie le notebook d'un devoir dans un dossier, sans jamais écraser "
                                "votre travail.")
    start.add_argument("assignment", metavar="DEVOIR", help="le devoir, par exemple 01_regression")
    start.add_argument("--to", default=".", metavar="DOSSIER", help="le dossier (par défaut : le dossier courant)")
    start.set_defaults(run=_start)

    check = commands.add_parser("check", help="lance les tests publics sur votre notebook",
                                description="Lance les tests publics sur votre notebook et affiche le score.")
    check.add_argument("notebook", metavar="NOTEBOOK", help="votre notebook (.ipynb)")
    check.add_argument("--assignment", metavar="DEVOIR", help="le devoir (par défaut : celui du notebook)")
    check.add_argument("--task", action="append", metavar="TÂCHE",
                       help="seulement les tests de cette tâche (répétable)")
    check.set_defaults(run=_check)

    data = commands.add_parser("data", help="jeux de données : autograder data prepare",
                               description="Les jeux de données du cours.")
    actions = data.add_subparsers(dest="data_command", required=True, metavar="ACTION", title="actions")
    prep = actions.add_parser("prepare", help="vérifie les jeux de données et les installe là où les notebooks "
                              "les chargent", description="Vérifie les jeux de données et les installe là où les "
                              "notebooks les chargent.")
    prep.add_argument("--dataset", action="append", metavar="NOM", help="seulement ce jeu de données (répétable)")
    prep.add_argument("--mirror", metavar="DOSSIER",
                      help="un miroir local (par défaut : $DLKIT_DATASET_MIRROR ou ../shared/datasets)")
    prep.add_argument("--download", action="store_true",
                      help="ignorer tout miroir et télécharger depuis les sources officielles")
    prep.add_argument("--force", action="store_true", help="réinstaller même ce qui est déjà là")
    prep.set_defaults(run=_data_prepare)


class _Version(argparse.Action):
    """``--version``: the installed kit's version (:mod:`autograder.version`), read only when asked."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:  # type: ignore
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        from autograder.version import kit_version

        print(f"{PROG} {kit_version()}")
        parser.exit()


class _HelpAll(argparse.Action):
    """``--help-all``: every command, the instructors' and grading machines' too (:mod:`autograder.cli`)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:  # type: ignore
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        from autograder.cli import build_parser

        build_parser().print_help()
        parser.exit()


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--help-all`` and ``--version``."""
    parser.add_argument("--help-all", action=_HelpAll, help="affiche toutes les commandes (enseignants compris)")
    parser.add_argument("--version", action=_Version, help="affiche la version du kit installé et quitte")


def student_parser() -> Parser:
    """The students' parser: their commands only."""
    parser = Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    add_global_options(parser)
    parser.commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE", title="commandes")
    add_student_commands(parser.commands)
    return parser


def _user_errors() -> tuple[type[Exception], ...]:
    """What a command reports as ``erreur : …`` (exit 2) rather than as a crash."""
    engine = sys.modules.get("autograder.grading.engine")  # imported by then if it raised
    return (UnknownAssignment, SelectionError, *((engine.AssignmentNotFound,) if engine else ()))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = student_parser()
    if argv and not argv[0].startswith("-") and argv[0] not in parser.commands.choices:
        from autograder.cli import main as full

        return full(argv)  # an instructor's or grading machine's command, or a mistyped one (answered there)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Exception as error:
        if not isinstance(error, _user_errors()):
            raise
        print(f"erreur : {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
