"""Mutants of the reference solutions that no test can or should catch, each with the reason.

Keys are :class:`benchmarks.mutation.Mutant` idents (``function:line:column:operator``, lines
of the notebook cell); ``python -m benchmarks.mutation ASSIGNMENT`` lists survivors to review.
"""

EQUIVALENT: dict[str, dict[str, str]] = {
    "01_regression": {},
}
