"""``python -m autograder``."""

import sys

from autograder.launcher import main

if __name__ == "__main__":  # worker processes of a batch import this module again
    sys.exit(main())
