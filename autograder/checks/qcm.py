"""Multiple-choice quizzes (QCM): questions in the public graders, the answer key only in the hidden ones.

The student answers in the notebook as data, a literal dictionary ``REPONSES = {"q01": "b", ...}``
(``autograder grade`` keeps literal constant assignments). The public graders hold the
:class:`Question` list (ids, texts, choices) and check the answers' format; the hidden graders
hold the key and add one check per question whose failure message explains the concept.

The key must never enter the sandbox, where the student's code runs next to the imported
graders: hidden graders build it only when :func:`in_sandbox` is false, e.g.::

    ANSWER_KEY = {} if in_sandbox() else {"q01": ("b", "Explication..."), ...}

so that the sandboxed process only ever holds an empty dictionary (the module's code, with
its constants, is discarded once imported).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.checks.expect import fail
from autograder.grading.spec import Arrays, Check, Failure, MissingDefinition, Submission

#: The grading sandbox's worker finds its result pipe in this variable (``autograder.grading.sandbox``).
SANDBOX_VARIABLE = "DLKIT_RESULT_FD"
#: The sandbox's worker module: run as ``__main__`` by a fresh worker, imported by a pre-started zygote.
WORKER_MODULE = "autograder.grading.worker"
ANSWERS_VARIABLE = "REPONSES"


def in_sandbox() -> bool:
    """True in a sandboxed worker process (or a zygote that forks them), where the student's code runs.

    The grading process and a notebook's kernel never import the worker module.
    """
    main_spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return (SANDBOX_VARIABLE in os.environ or WORKER_MODULE in sys.modules
            or getattr(main_spec, "name", None) == WORKER_MODULE)


@dataclass(frozen=True)
class Question:
    """One question.

    Attributes:
        id: key in the student's answers, e.g. ``q01``.
        topic: a few words shown in check titles (never the answer), e.g. ``torch.linspace``.
        text: the question, in French (markdown).
        choices: ``((letter, text), ...)`` in display order.
    """

    id: str
    topic: str
    text: str
    choices: tuple[tuple[str, str], ...]

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(letter for letter, _ in self.choices)

    def markdown(self) -> str:
        """The question and its choices, as notebook markdown."""
        lines = [f"**{self.id}. {self.topic}** — {self.text}", ""]
        lines += [f"- **{letter})** {text}" for letter, text in self.choices]
        return "\n".join(lines)


def answers_template(questions: Sequence[Question], variable: str = ANSWERS_VARIABLE) -> str:
    """The unanswered dictionary the student fills in (one line per question, topic as comment)."""
    lines = [f"{variable} = {{"]
    lines += [f'    "{q.id}": "",  # {q.topic}' for q in questions]
    return "\n".join([*lines, "}"])


def normalised(answer: Any) -> str:
    """``" B "`` -> ``"b"``; anything but a string becomes its ``repr`` (always invalid)."""
    return answer.strip().lower() if isinstance(answer, str) else repr(answer)


def collect_answers(sub: Submission, inputs: Arrays, variable: str = ANSWERS_VARIABLE) -> dict[str, str]:
    """The student's answers, normalised (runs in the sandbox)."""
    value = sub.namespace.get(variable)
    if value is None:
        reason = (f"Le dictionnaire `{variable}` est introuvable dans le notebook : écrivez-le comme un "
                  f'dictionnaire littéral {variable} = {{"q01": "a", ...}} (sans calcul ni appel de fonction).')
        if sub.cell_errors:
            reason += " Cellules non exécutées : " + " ; ".join(sub.cell_errors)
        raise MissingDefinition(reason)
    if not isinstance(value, dict):
        raise Failure(f"`{variable}` doit être un dictionnaire {{\"q01\": \"a\", ...}}, pas {type(value).__name__}.")
    return {str(key): normalised(answer) for key, answer in value.items()}


def _problem(question: Question, answers: Mapping[str, str]) -> str | None:
    answer = answers.get(question.id)
    if answer is None:
        return f"{question.id} (clé absente)"
    if answer == "":
        return f"{question.id} (vide)"
    if answer not in question.letters:
        return f"{question.id} ({answer!r})"
    return None


def format_check(task: str, name: str, title: str, points: float, questions: Sequence[Question]) -> Check:
    """A public check: every question answered with one of its letters."""

    def judge(answers: dict[str, str], secrets: Arrays) -> None:
        problems = [p for p in (_problem(q, answers) for q in questions) if p]
        if problems:
            letters = ", ".join(questions[0].letters)
            fail(f"Réponses introuvables ou invalides pour {len(problems)} question(s) sur {len(questions)}",
                 f"une lettre parmi {letters} pour chaque question", " ; ".join(problems))
        extra = sorted(set(answers) - {q.id for q in questions})
        if extra:
            fail("Clés de REPONSES", f"les clés {questions[0].id} à {questions[-1].id}", f"en plus : {extra}")

    return Check(task, name, title, points, collect_answers, judge)


def question_checks(
    task: str, questions: Sequence[Question], key: Callable[[], Mapping[str, tuple[str, str]]], points: float
) -> list[Check]:
    """Hidden checks, one per question; ``key()`` returns ``{id: (letter, explanation)}`` when judging.

    The failure message names the right letter and explains the concept (in French, no code):
    hidden results are shown to students once grades are published.
    """

    def judge_for(question: Question) -> Callable[[dict[str, str], Arrays], None]:
        def judge(answers: dict[str, str], secrets: Arrays) -> None:
            expected, explanation = key()[question.id]
            found = answers.get(question.id, "")
            if found != expected:
                what = f"Question {question.id} ({question.topic})"
                if found == "":
                    what += ", réponse introuvable"
                fail(what, expected, found, explanation)

        return judge

    return [Check(task, f"{task}_{q.id}", f"QCM {q.id} : {q.topic}", points, collect_answers, judge_for(q),
                  hidden=True)
            for q in questions]
