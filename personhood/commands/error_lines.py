"""One line for a person instead of a traceback, for the errors a command line meets at its edges:
files that are missing or unreadable, and servers (a JSON-RPC node, the relayer) that do not answer."""

from __future__ import annotations

from .exit_codes import EXIT_REFUSED, EXIT_USAGE

# A path the person named that is not there or not usable: their input is wrong (exit 2).
_INPUT_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError, FileExistsError)


def os_error_line(e: OSError) -> tuple[str, int]:
    """(message, exit code) for an OSError a command let through: a path problem (2) or a network one (1).

    requests' exceptions are OSErrors; their text is a long repr, so name the URL that did not answer.
    """
    if isinstance(e, _INPUT_ERRORS):
        where = f": {e.filename}" if e.filename else ""
        return f"{e.strerror or type(e).__name__}{where}", EXIT_USAGE
    request = getattr(e, "request", None)
    url = getattr(request, "url", None)
    if url:
        kind = "timed out" if "Timeout" in type(e).__name__ else "does not answer"
        return f"{url} {kind} (is the node or server running, and is the URL right?)", EXIT_REFUSED
    return f"{type(e).__name__}: {e}", EXIT_REFUSED
