"""Errors a user can act on: one line naming the file and the problem."""


class VigilError(Exception):
    """Bad input or a failed precondition; the CLI prints it as one line and exits 2."""

    exit_code = 2


class CheckFailed(VigilError):
    """The input was fine but a check did not hold (over budget, regression); exit 1."""

    exit_code = 1
