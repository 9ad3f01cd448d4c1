"""Mutation benchmark: do the graders catch realistic mistakes in the reference solution?

    python -m benchmarks.mutation 01_regression            # the tests each mutant can affect
    python -m benchmarks.mutation 01_regression --full     # every test, for every mutant
    python -m benchmarks.mutation 02_mnist_cnn --function train_one_epoch --jobs 2

Each mutant changes one thing in one graded function of the reference solution (the functions
of its nbgrader solution cells), the way a student's slip would:

* ``constant``: a number changed (``0.2`` → ``0.4``, ``64`` → ``65``), a flag flipped, a known
  string swapped (``"relu"`` → ``"tanh"``, ``"same"`` → ``"valid"``, ``"adam"`` → ``"sgd"``);
* ``swap``: the first two positional arguments of a call swapped;
* ``remove``: one statement removed (``optimizer.zero_grad()``, ``model.eval()``, a line of a loop);
* ``axis``: another ``axis=``/``dim=`` value;
* ``operator``: ``+``/``-``, ``*``/``/``, ``**``/``*``, ``<``/``<=``, ``>``/``>=``, ``==``/``!=``, ``+=``/``-=``;
* ``call``: a method call without arguments dropped (``x.ravel()`` → ``x``, ``.eval()``, ``.item()``).

The reference is graded once with call tracing, which tells which tests run each function; by
default a mutant of ``f`` is graded only on the tests that ran ``f``, in a fixed random order,
until ``--seconds`` (default 840: a run fits 15 minutes; larger assignments then grade a sample).
A mutant is *killed* when it loses points. The mutation score is killed / (mutants − recorded
equivalents); survivors are listed with their change. A mutant that makes a test report a
grader error is a grader defect.
Equivalent mutants are recorded, with the reason, in :data:`benchmarks.mutation_equivalents.EQUIVALENT`.
"""

from __future__ import annotations

import argparse
import ast
import copy
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.grading.engine import grade_notebook
from autograder.grading.tasks import grade_task, make_task
from autograder.paths import SOLUTIONS_DIR
from autograder.results import Status, SubmissionResult
from autograder.submissions import Job
from benchmarks.mutation_equivalents import EQUIVALENT

STRING_SWAPS = {"relu": "tanh", "tanh": "relu", "sigmoid": "relu", "softmax": "sigmoid", "linear": "relu",
                "same": "valid", "valid": "same", "adam": "sgd", "sgd": "adam", "mse": "mae", "mae": "mse",
                "accuracy": "mae", "categorical_crossentropy": "mse", "sparse_categorical_crossentropy": "mse",
                "max": "min", "mean": "sum", "sum": "mean"}
BINARY_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
                ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv}
COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq}
AXIS_KEYWORDS = ("axis", "dim")


@dataclass(frozen=True)
class Mutant:
    """One change to one function: ``ident`` is ``function:line:column:operator``.

    ``operator`` is ``constant``, ``swap``, ``remove``, ``axis``, ``operator.<original operator>`` or
    ``call.<method>``; a ``+`` is appended when another mutation starts at the same place.
    """

    ident: str
    function: str
    description: str
    source: str  # the whole mutated function


def _number_change(value: float | int | bool) -> float | int | bool:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return 1 if value == 0 else value + 1
    return 1.0 if value == 0 else value * 2


class _Mutations(ast.NodeVisitor):
    """Every single-point mutation of one function, as (node path, replacement, description)."""

    def __init__(self, function: ast.FunctionDef) -> None:
        self.function = function
        self.found: list[tuple[ast.AST, ast.AST | None, str, str]] = []  # node, replacement, operator, text
        self.docstring = (function.body[0] if function.body and isinstance(function.body[0], ast.Expr)
                          and isinstance(function.body[0].value, ast.Constant) else None)

    def add(self, node: ast.AST, replacement: ast.AST | None, operator: str, text: str) -> None:
        self.found.append((node, replacement, operator, text))

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, (bool, int, float)) and not isinstance(node.value, complex):
            changed = _number_change(node.value)
            self.add(node, ast.Constant(changed), "constant", f"{node.value!r} → {changed!r}")
        elif isinstance(node.value, str) and node.value in STRING_SWAPS:
            self.add(node, ast.Constant(STRING_SWAPS[node.value]), "constant",
                     f"{node.value!r} → {STRING_SWAPS[node.value]!r}")

    def visit_Call(self, node: ast.Call) -> None:
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            swapped = copy.deepcopy(node)
            swapped.args[0], swapped.args[1] = swapped.args[1], swapped.args[0]
            self.add(node, swapped, "swap", f"{ast.unparse(node)[:60]} : 2 premiers arguments échangés")
        for keyword in node.keywords:
            if keyword.arg in AXIS_KEYWORDS and isinstance(keyword.value, (ast.Constant, ast.UnaryOp)):
                value = ast.literal_eval(keyword.value)
                if isinstance(value, int):
                    other = 0 if value != 0 else 1
                    changed = copy.deepcopy(node)
                    next(k for k in changed.keywords if k.arg == keyword.arg).value = ast.Constant(other)
                    self.add(node, changed, "axis", f"{keyword.arg}={value} → {keyword.arg}={other}")
        if isinstance(node.func, ast.Attribute) and not node.args and not node.keywords:
            self.add(node, copy.deepcopy(node.func.value), f"call.{node.func.attr}", f".{node.func.attr}() retiré")
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg in AXIS_KEYWORDS:
            return  # handled as an axis mutation
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = BINARY_SWAPS.get(type(node.op))
        if swap is not None:
            self.add(node, ast.BinOp(copy.deepcopy(node.left), swap(), copy.deepcopy(node.right)),
                     f"operator.{type(node.op).__name__}", f"{type(node.op).__name__} → {swap.__name__}")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        swap = BINARY_SWAPS.get(type(node.op))
        if swap is not None:
            changed = copy.deepcopy(node)
            changed.op = swap()
            self.add(node, changed, f"operator.{type(node.op).__name__}",
                     f"{type(node.op).__name__}= → {swap.__name__}=")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        swap = COMPARE_SWAPS.get(type(node.ops[0]))
        if swap is not None and len(node.ops) == 1:
            changed = copy.deepcopy(node)
            changed.ops = [swap()]
            self.add(node, changed, f"operator.{type(node.ops[0]).__name__}",
                     f"{type(node.ops[0]).__name__} → {swap.__name__}")
        self.generic_visit(node)

    def visit_body(self, body: list[ast.stmt]) -> None:
        for statement in body:
            if statement is self.docstring or isinstance(statement, (ast.Return, ast.Pass)):
                continue
            self.add(statement, None, "remove", f"instruction retirée : {ast.unparse(statement).splitlines()[0][:70]}")

    def generic_visit(self, node: ast.AST) -> None:
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt) and node is not self.function:
                self.visit_body(block)
        super().generic_visit(node)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, replacement: ast.AST | None) -> None:
        self.target, self.replacement = target, replacement

    def visit(self, node: ast.AST):
        if node is self.target:
            return self.replacement if self.replacement is not None else ast.Pass()
        return super().visit(node)


def graded_functions(notebook: nbformat.NotebookNode) -> dict[str, tuple[int, ast.FunctionDef]]:
    """``{name: (cell index, definition)}`` of the top-level functions of the solution cells."""
    found = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = (index, node)
    return found


def mutants_of(function: ast.FunctionDef) -> Iterator[Mutant]:
    visitor = _Mutations(function)
    visitor.visit_body(function.body)
    visitor.generic_visit(function)
    seen: set[str] = set()
    for node, replacement, operator, text in visitor.found:
        changed = _replace_at(function, node, replacement)
        ast.fix_missing_locations(changed)
        line = getattr(node, "lineno", function.lineno)
        ident = f"{function.name}:{line}:{getattr(node, 'col_offset', 0)}:{operator}"
        while ident in seen:  # two mutations of nodes starting at the same place
            ident += "+"
        seen.add(ident)
        yield Mutant(ident, function.name, f"{function.name}, ligne {line - function.lineno + 1} : {text}",
                     ast.unparse(changed))


def _replace_at(function: ast.FunctionDef, target: ast.AST, replacement: ast.AST | None) -> ast.FunctionDef:
    """A deep copy of ``function`` with the node at ``target``'s position replaced."""
    original_nodes = list(ast.walk(function))
    position = next(i for i, node in enumerate(original_nodes) if node is target)
    copied = copy.deepcopy(function)
    copied_target = list(ast.walk(copied))[position]
    return _Replace(copied_target, replacement).visit(copied)


def mutated_notebook(notebook: nbformat.NotebookNode, cell_index: int, function: ast.FunctionDef,
                     source: str) -> nbformat.NotebookNode:
    """The notebook with ``function``'s lines in its cell replaced by ``source``."""
    mutated = copy.deepcopy(notebook)
    lines = mutated.cells[cell_index].source.splitlines()
    start = min([function.lineno] + [d.lineno for d in function.decorator_list]) - 1
    lines[start:function.end_lineno] = source.splitlines()
    mutated.cells[cell_index].source = "\n".join(lines)
    return mutated


def lost_points(result: SubmissionResult) -> list[str]:
    return [f"{t.name} ({t.score:g}/{t.max_score:g})" for t in result.tests if t.score < t.max_score]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("--full", action="store_true", help="grade every test for every mutant")
    parser.add_argument("--function", action="append", help="only mutants of this function (repeatable)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, help="at most this many mutants (first ones)")
    parser.add_argument("--seconds", type=float, default=840.0,
                        help="stop starting mutants after this many seconds (default 840: the run fits 15 minutes)")
    args = parser.parse_args()
    started = time.monotonic()
    reference = SOLUTIONS_DIR / args.assignment / f"{args.assignment}.ipynb"
    notebook = nbformat.read(reference, as_version=4)
    called: dict[str, set[str]] = {}
    baseline = grade_notebook(reference, args.assignment, called=called)
    if lost_points(baseline):
        sys.exit(f"the reference itself loses points: {lost_points(baseline)}")
    functions = graded_functions(notebook)
    mutants = [m for name, (_, node) in functions.items() if not args.function or name in args.function
               for m in mutants_of(node)][: args.limit]
    equivalent = EQUIVALENT.get(args.assignment, {})
    print(f"{args.assignment}: {len(mutants)} mutants of {len(functions)} functions; reference graded with "
          f"tracing in {time.monotonic() - started:.0f} s", flush=True)
    outcomes: dict[str, tuple[Mutant, list[str], list[str]]] = {}
    random.Random(0).shuffle(mutants)  # a fixed order: a run cut by its time budget grades a fair sample
    with tempfile.TemporaryDirectory(prefix="dlkit-mutants-") as scratch, ProcessPoolExecutor(
            max_workers=args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: dict = {}
        queue = list(enumerate(mutants))
        done = 0
        while queue or pending:
            while queue and len(pending) < 2 * args.jobs and time.monotonic() - started < args.seconds:
                number, mutant = queue.pop(0)
                affected = None if args.full else frozenset(n for n, fs in called.items() if mutant.function in fs)
                if affected is not None and not affected:
                    outcomes[mutant.ident] = (mutant, [], [])
                    continue
                index, node = functions[mutant.function]
                path = Path(scratch) / f"mutant{number}.ipynb"
                nbformat.write(mutated_notebook(notebook, index, node, mutant.source), path)
                task = make_task(Job(path, f"mutant{number}", args.assignment), True, affected)
                pending[pool.submit(grade_task, task, args.jobs)] = mutant
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                mutant = pending.pop(future)
                result = future.result()
                defects = [t.name for t in result.tests if t.status is Status.GRADER_ERROR]
                unrelated = [t.name for t in result.tests if t.score < t.max_score and mutant.function not in
                             called.get(t.name, set())]
                outcomes[mutant.ident] = (mutant, lost_points(result), defects + [f"{n} (non lié)" for n in unrelated])
                done += 1
                print(f"  [{done}] {'killed  ' if outcomes[mutant.ident][1] else 'SURVIVED'} {mutant.description}",
                      flush=True)
    if len(outcomes) < len(mutants):
        print(f"time budget of {args.seconds:.0f} s reached: {len(outcomes)} of {len(mutants)} mutants graded "
              "(a fixed random sample; --seconds to grade more)")
    report(args.assignment, outcomes, equivalent, time.monotonic() - started)


def report(assignment: str, outcomes: dict[str, tuple[Mutant, list[str], list[str]]],
           equivalent: dict[str, str], elapsed: float) -> None:
    survivors = [m for m, lost, _ in outcomes.values() if not lost and m.ident not in equivalent]
    killed = [m for m, lost, _ in outcomes.values() if lost]
    counted = len(outcomes) - sum(1 for ident in outcomes if ident in equivalent and not outcomes[ident][1])
    score = len(killed) / counted if counted else 1.0
    print(f"\n{assignment}: mutation score {score:.1%} ({len(killed)} killed of {counted} non-equivalent mutants; "
          f"{len(outcomes) - counted} recorded equivalent) in {elapsed:.0f} s")
    for mutant in survivors:
        print(f"  survivor {mutant.ident}: {mutant.description}")
    for ident, reason in equivalent.items():
        if ident in outcomes and not outcomes[ident][1]:
            print(f"  equivalent {ident}: {reason}")
    for mutant, _, defects in outcomes.values():
        if defects:
            print(f"  GRADER DEFECT {mutant.ident}: {', '.join(defects)}")


if __name__ == "__main__":
    main()
