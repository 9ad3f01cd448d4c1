"""Dockerfiles and pip requirements files written by students, read with real parsers (grading side).

:func:`instructions` parses a Dockerfile with ``dockerfile-parse`` (the parser behind OpenShift's
build tools: continuation lines, comments, exec and shell forms); :func:`arguments` splits an
instruction's value the way Docker does (a JSON array in exec form, shell words otherwise);
:func:`requirements` parses a requirements file with :mod:`packaging`. The ``expect_…`` helpers
judge them and say, in French, which instruction was expected and what was found.
"""

from __future__ import annotations

import io
import json
import shlex
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from autograder.checks.expect import fail
from autograder.grading.spec import Failure


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: ``FROM``, ``RUN``, … (upper case), its value, its first line (1-based)."""

    name: str
    value: str
    line: int


def instructions(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, in order (comments and blank lines dropped).

    Raises:
        Failure: ``text`` is not a string or holds no instruction.
    """
    from dockerfile_parse import DockerfileParser

    if not isinstance(text, str):
        raise Failure(f"Le Dockerfile doit être une chaîne de caractères, pas {type(text).__name__}.")
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    found = [Instruction(item["instruction"].upper(), item["value"].strip(), item["startline"] + 1)
             for item in parser.structure if item["instruction"].upper() != "COMMENT"]
    if not found:
        raise Failure("Le Dockerfile ne contient aucune instruction (FROM, WORKDIR, COPY, RUN, EXPOSE, CMD…).")
    return found


def arguments(instruction: Instruction) -> list[str]:
    """The instruction's arguments: the JSON array of the exec form, else the shell words of its value."""
    if instruction.value.startswith("["):
        try:
            parsed = json.loads(instruction.value)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return parsed
    try:
        return shlex.split(instruction.value)
    except ValueError:
        return instruction.value.split()


def named(found: list[Instruction], name: str) -> list[Instruction]:
    """The instructions called ``name``, in order."""
    return [item for item in found if item.name == name]


def expect_one(found: list[Instruction], name: str, hint: str) -> Instruction:
    """Exactly one ``name`` instruction (for FROM, WORKDIR, EXPOSE, CMD in a one-stage image)."""
    items = named(found, name)
    if len(items) != 1:
        fail(f"Instructions {name} du Dockerfile", f"une instruction {name}",
             [f"ligne {item.line} : {name} {item.value}" for item in items] or "aucune", hint)
    return items[0]


def split_image(reference: str) -> tuple[str, str]:
    """``python:3.11-slim`` -> ``("python", "3.11-slim")``; the tag is ``latest`` when none is given."""
    name = reference.partition("@")[0]
    repository, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:
        return name, "latest"
    return repository, tag


def requirements(text: str) -> list[Requirement]:
    """The requirements of a pip requirements file (comments, blank lines and pip options dropped).

    Raises:
        Failure: a line is not a valid requirement (with its number and text).
    """
    if not isinstance(text, str):
        raise Failure(f"Le fichier de dépendances doit être une chaîne de caractères, pas {type(text).__name__}.")
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            found.append(Requirement(line))
        except InvalidRequirement as error:
            raise Failure(f"Ligne {number} du fichier de dépendances invalide ({line!r}) : {error}.") from error
    return found
