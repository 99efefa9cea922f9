"""Exceptions raised by tinyq, one per engine status code.

Every error caused by input names the place it came from, e.g.
``InvalidModelError("model.onnx: node 'conv3' (Conv): ...")``. ``exit_code`` is the exit code the
``tinyq`` CLI returns for the same error.
"""


class Error(Exception):
    """Base class of every tinyq error."""

    code = "Internal"
    exit_code = 70


class InvalidModelError(Error):
    """The model file is malformed or inconsistent."""

    code, exit_code = "InvalidModel", 3


class UnsupportedError(Error):
    """The model is valid but uses something tinyq does not implement."""

    code, exit_code = "Unsupported", 4


class InvalidArgumentError(Error, ValueError):
    """A bad argument or data (shape, dtype, NaN, range)."""

    code, exit_code = "InvalidArgument", 5


class FailedPreconditionError(Error):
    """The operation is not valid in the current state."""

    code, exit_code = "FailedPrecondition", 5


class NotFoundError(Error, FileNotFoundError):
    """A named file, input, output or board does not exist."""

    code, exit_code = "NotFound", 6


class IoError(Error, OSError):
    """Reading or writing a file failed."""

    code, exit_code = "IoError", 6


class InternalError(Error):
    """A bug in tinyq."""

    code, exit_code = "Internal", 70


class CheckFailedError(Error):
    """A budget or accuracy gate failed."""

    code, exit_code = "CheckFailed", 1


_BY_CODE = {c.code: c for c in (InvalidModelError, UnsupportedError, InvalidArgumentError,
                                 FailedPreconditionError, NotFoundError, IoError, InternalError,
                                 CheckFailedError)}


def error_class(code):
    """The exception class for an engine status code name (used by the bindings)."""
    return _BY_CODE.get(code, InternalError)
