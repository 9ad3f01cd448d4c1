"""Mutants of the reference solutions that no test can or should catch, each with the reason.

Keys are :class:`benchmarks.mutation.Mutant` idents (``function:line:column:operator``, lines
counted in the notebook cell); ``python -m benchmarks.mutation ASSIGNMENT`` lists the survivors
to review. A mutant belongs here only when the statement does not ask for what it changes.
"""

EQUIVALENT: dict[str, dict[str, str]] = {
    "01_regression": {
        "train_model:1:48:constant": "the default of epochs is the notebook's own budget: graders always pass epochs",
        "train_model:1:64:constant": "the default of batch_size is never used by the graders, which always pass it",
        "train_model:16:94:constant": "verbose=1 only prints progress",
        "compute_metrics:12:4:remove": "y_true is documented as shape (n,): ravel/asarray change nothing for it",
        "compute_metrics:12:13:call": "y_true is documented as shape (n,): ravel() changes nothing for it",
        "plot_learning_curve:16:4:remove": "the statement asks for labelled curves, a legend and axis titles, "
                                           "not a figure title",
        "plot_learning_curve:11:39:constant": "the figure's size is not graded",
        "plot_learning_curve:11:42:constant": "the figure's size is not graded",
    },
}
