"""Calibrate ``autograder similarity``'s threshold on the kit's own material (README, "Code similarity").

    python -m benchmarks.similarity_calibration                 # every assignment
    python -m benchmarks.similarity_calibration --assignment 01_regression

For each assignment, with the released notebook as starter code, it prints the scores of:

* copies that must be found: the reference against itself disguised (every variable and argument
  renamed, reformatted, commented, functions and solution cells in reverse order);
* independent work that must stay low: the reference against each ``valid_*`` example's own code (the
  functions it rewrote: one that differs from the reference only by its docstring is left out), and the
  reference's mark schemes against the examples' written answers, where there are some;
* one shared function: a student made of every ``valid_*`` example's own code, with one of its functions
  replaced by the reference's (disguised), against the reference: the pair must be flagged and its
  best fragment must be that function, for each function in turn.
"""

from __future__ import annotations

import argparse
import importlib
import time

import nbformat

from autograder.grading.assignments import available_assignments
from autograder.similarity.batch import starter_code
from autograder.similarity.compare import THRESHOLD, Submission, compare
from autograder.similarity.units import notebook_units
from tests.submissions.disguise import (
    disguised_reference,
    functions,
    independent,
    notebook,
    own_cells,
    reference,
    valid_examples,
    with_copied_function,
)
from tests.submissions.variants import _read_base, reference_cells


def _submission(name: str, source: nbformat.NotebookNode) -> Submission:
    return Submission(name, None, notebook_units(source))


def _score(assignment: str, left: Submission, right: Submission) -> tuple[float, str, list[str]]:
    """The pair's score, its best fragment's units, and the units of the right side's fragments at the threshold."""
    comparison = compare(assignment, [left, right], starter_code(assignment))
    if not comparison.pairs or not comparison.pairs[0].fragments:
        return 0.0, "-", []
    pair = comparison.pairs[0]
    flagged = [f.right.label if pair.right is right else f.left.label
               for f in pair.fragments if f.similarity >= THRESHOLD]
    return pair.score, f"{pair.fragments[0].left.label} / {pair.fragments[0].right.label}", flagged


def _answers(assignment: str) -> tuple[dict[str, str], list[tuple[str, dict[str, str]]]]:
    """The reference's mark schemes, and the examples' written answers, by grade_id."""
    schemes = {c.metadata["nbgrader"]["grade_id"]: c.source for c in _read_base(assignment, "solution").cells
               if c.cell_type == "markdown" and c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    module = importlib.import_module(f"tests.submissions.examples_{assignment}")
    answers = [(v.name, {g: s for g, s in v.replace.items() if g in schemes}) for v in module.VARIANTS]
    return schemes, [(name, written) for name, written in answers if written]


def calibrate(assignment: str) -> dict[str, list]:
    """Print the assignment's figures; return the scores of what must be found and of what must stay low, and
    the copied functions too small to be scored."""
    found, low, small = [], [], []
    ref = _submission("reference", reference(assignment))
    score, where, _ = _score(assignment, ref, _submission("disguised", disguised_reference(assignment, 7)))
    print(f"{assignment}\n  reference / reference disguised: {score:.2f} ({where})")
    found.append(score)
    for name, replace in valid_examples(assignment).items():
        score, where, _ = _score(assignment, ref, _submission(name, independent(assignment, replace)))
        print(f"  reference / {name} (own code): {score:.2f} ({where})")
        low.append(score)
    cells = own_cells(assignment)
    alone, where, before = _score(assignment, ref, _submission("own", notebook(assignment, cells)))
    print(f"  reference / every valid example's own code ({len(functions(cells))} definitions): {alone:.2f} ({where})")
    for seed, name in enumerate(n for n in functions(cells) if n in functions(reference_cells(assignment))):
        copied = _submission("copied", notebook(assignment, with_copied_function(assignment, cells, name, seed)))
        score, where, flagged = _score(assignment, ref, copied)
        if name not in {u.unit.label for u in copied.scored}:
            outcome = "too small to be scored"
            small.append(name)
        elif name in flagged and name not in before:
            outcome = "found"
            found.append(score)
        else:
            outcome = "MISSED"
            found.append(0.0)
        print(f"    one function copied, {name}: {score:.2f} (best: {where}) {outcome}")
    schemes, answers = _answers(assignment)
    for name, written in answers:
        scheme = _submission("scheme", notebook(assignment, schemes))
        score, where, _ = _score(assignment, scheme, _submission(name, notebook(assignment, written)))
        print(f"  mark scheme / {name}'s written answer: {score:.2f} ({where})")
        low.append(score)
        grade_id, text = next(iter(written.items()))
        paragraph = max(text.split("\n\n"), key=len)
        pasted = notebook(assignment, {**schemes, grade_id: schemes[grade_id] + "\n\n" + paragraph})
        score, where, _ = _score(assignment, _submission(name, notebook(assignment, written)),
                                 _submission("pasted", pasted))
        print(f"  {name}'s longest paragraph pasted into the mark scheme: {score:.2f} ({where})")
        found.append(score)
    return {"found": found, "low": low, "small": small}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    args = parser.parse_args()
    started = time.monotonic()
    found, low, small = [], [], []
    for assignment in args.assignment or available_assignments():
        scores = calibrate(assignment)
        found += scores["found"]
        low += scores["low"]
        small += scores["small"]
    low.sort(reverse=True)
    highest = ", ".join(f"{s:.2f}" for s in low[:4])
    print(f"\nthreshold {THRESHOLD}: {len(found)} copies, lowest {min(found):.2f}, "
          f"{sum(s >= THRESHOLD for s in found)} found; {len(small)} copied functions too small to be scored "
          f"({', '.join(small)}); {len(low)} independent pairs, highest {highest}, "
          f"{sum(s >= THRESHOLD for s in low)} flagged; {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
