"""The CLI's exit codes, for every command (STYLE.md: 0 ok, 1 refused, 2 usage or malformed input)."""

EXIT_OK = 0
EXIT_REFUSED = 1  # a valid request the system said no to (invalid proof, duplicate, tampered log, ...)
EXIT_USAGE = 2  # the request itself was malformed (bad arguments, unreadable or invalid input)
