"""Multiple-choice quizzes (QCM): questions in the public graders, the answer key only in the hidden ones.

The student answers in the notebook as data, a literal dictionary ``REPONSES = {"q01": "b", ...}``
(``autograder grade`` keeps literal constant assignments). The public graders hold the
:class:`Question` list (ids, texts, choices) and check the answers' format; the hidden test
file holds the key and has one test per question whose failure message explains the concept.

In the sandbox, a probe reads the answers with :func:`read_answers` (plain data: letters, no
key); in the grading process, the tests judge them with :func:`expect_answered` (public) and
:func:`expect_answer` (hidden, with the key). The key therefore lives only in the hidden test
file, which the sandbox never imports::

    # probes.py (sandbox)
    def quiz_answers(sub):
        return read_answers(sub)

    # test_hidden.py (grading process)
    @graded(0.5, task="qcm")
    @pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
    def test_qcm(answers, question):
        \"\"\"QCM {question.id} : {question.topic}\"\"\"
        expect_answer(answers, question, *ANSWER_KEY[question.id])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.checks.expect import fail
from autograder.grading.spec import Failure, MissingDefinition, Submission

ANSWERS_VARIABLE = "REPONSES"


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


def read_answers(sub: Submission, variable: str = ANSWERS_VARIABLE) -> dict[str, str]:
    """The student's answers, normalised: ``{question id: letter}`` (runs in the sandbox; holds no key).

    Raises:
        MissingDefinition: the notebook defines no ``variable``.
        Failure: ``variable`` is not a dictionary.
    """
    value = sub.value(variable)
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


def expect_answered(answers: Mapping[str, str], questions: Sequence[Question],
                    variable: str = ANSWERS_VARIABLE) -> None:
    """Every question answered with one of its letters, and no other key (the public format test)."""
    problems = [p for p in (_problem(q, answers) for q in questions) if p]
    if problems:
        letters = ", ".join(questions[0].letters)
        fail(f"Réponses introuvables ou invalides pour {len(problems)} question(s) sur {len(questions)}",
             f"une lettre parmi {letters} pour chaque question", " ; ".join(problems))
    extra = sorted(set(answers) - {q.id for q in questions})
    if extra:
        fail(f"Clés de {variable}", f"les clés {questions[0].id} à {questions[-1].id}", f"en plus : {extra}")


def expect_answer(answers: Mapping[str, str], question: Question, letter: str, explanation: str) -> None:
    """The student's answer to ``question`` is ``letter`` (a hidden test: the key stays in the grading process).

    The failure message names the right letter and explains the concept (in French, no code):
    hidden results are shown to students once grades are published.
    """
    found = answers.get(question.id, "")
    if found != letter:
        what = f"Question {question.id} ({question.topic})"
        if found == "":
            what += ", réponse introuvable"
        fail(what, letter, found, explanation)
