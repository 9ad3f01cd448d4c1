"""MkDocs hook: the command reference, generated at build time from the CLI's own parser.

``mkdocs.yml`` lists this file under ``hooks:``; on every build it adds ``reference/cli.md`` to the site,
written from :func:`autograder.cli.build_parser`, so that the reference cannot drift from the code.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

if importlib.util.find_spec("autograder") is None:  # `mkdocs build` from a checkout where the kit is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import autograder.cli as cli

PAGE = "reference/cli.md"
#: Usage lines wrapped at this width whatever the terminal's (argparse reads $COLUMNS).
WIDTH = 100


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """``(name, help, parser)`` of each subcommand of ``parser``, in the order they were added."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                _fixed_width(sub)
                found.append((name, helps.get(name, ""), sub))
    return found


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str,
                                                                                         argparse.ArgumentParser]]:
    """Every command that runs something (``data prepare``, ``grade``…), with its path of subcommand names."""
    leaves = []
    for name, help_text, sub in _subcommands(parser):
        children = _leaves(sub, (*path, name))
        leaves += children or [((*path, name), help_text, sub)]
    return leaves


def _student_commands() -> set[tuple[str, ...]] | None:
    """The students' commands (those ``autograder --help`` lists, from :func:`autograder.launcher.student_parser`),
    or None where the kit has no separate students' parser."""
    try:
        from autograder.launcher import student_parser
    except ImportError:
        return None
    return {path for path, _, _ in _leaves(student_parser())}


def _fixed_width(parser: argparse.ArgumentParser) -> None:
    """Wrap the parser's usage at :data:`WIDTH`, with its own formatter (the students' usage is in French)."""
    formatter = parser.formatter_class
    parser.formatter_class = lambda prog: formatter(prog, width=WIDTH)


def _cell(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False).replace("|", "&#124;")


def _option_row(action: argparse.Action) -> str:
    if action.option_strings:
        name = ", ".join(f"`{option}`" for option in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or action.dest.upper()
            name += f" `{metavar}`" if action.nargs != "?" else f" `[{metavar}]`"
    else:
        name = f"`{action.metavar or action.dest}`"
    details = []
    if action.choices:
        details.append("one of " + ", ".join(f"`{choice}`" for choice in action.choices))
    if action.nargs in ("+", "*") or isinstance(action, argparse._AppendAction):
        details.append("repeatable" if action.option_strings else "one or more")
    if action.required and action.option_strings:
        details.append("required")
    if action.default not in (None, False, argparse.SUPPRESS) and action.nargs != 0:
        details.append(f"default `{action.default}`")
    return f"| {name} | {_cell(action.help or '')} | {_cell('; '.join(details))} |"


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The parser's own arguments, without ``--help`` and its subcommands."""
    return [action for action in parser._actions if not isinstance(action, argparse._SubParsersAction)
            and "--help" not in action.option_strings]


def render() -> str:
    """The command reference page, in Markdown."""
    parser = cli.build_parser()
    _fixed_width(parser)
    students = _student_commands()
    lines = ["# Command reference", "",
             "Generated at build time from the parser of `autograder` (`autograder.cli.build_parser`, by "
             "`docs/hooks/cli_reference.py`): it is what `autograder COMMAND --help` prints, and it cannot "
             "drift from the code.", "", "```text", parser.format_usage().strip(), "```", ""]
    if parser.description:
        lines += [_cell(parser.description), ""]
    leaves = _leaves(parser)
    if students is None:
        lines += ["| command | what it does |", "|---|---|"]
    else:
        lines += ["| command | what it does | for students (`autograder --help`) |", "|---|---|---|"]
    for path, help_text, _ in leaves:
        row = f"| [`autograder {' '.join(path)}`](#{'-'.join(path)}) | {_cell(help_text)} |"
        lines.append(row if students is None else f"{row} {'yes' if path in students else ''} |")
    lines.append("")
    options = _arguments(parser)
    if options:
        lines += ["Options of `autograder` itself:", "", "| argument | meaning | |", "|---|---|---|",
                  *map(_option_row, options), ""]
    for path, help_text, sub in leaves:
        lines += [f"## `autograder {' '.join(path)}` {{#{'-'.join(path)}}}", "", _cell(help_text), ""]
        if sub.description:
            lines += [_cell(sub.description), ""]
        lines += ["```text", sub.format_usage().strip(), "```", ""]
        actions = _arguments(sub)
        if actions:
            lines += ["| argument | meaning | |", "|---|---|---|", *map(_option_row, actions), ""]
    return "\n".join(lines)


def on_files(files: Files, config) -> Files:
    files.append(File.generated(config, PAGE, content=render()))
    return files
