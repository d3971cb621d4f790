"""The CLI's exit codes, for every command (STYLE.md: 0 ok, 1 refused, 2 usage or malformed input)."""

EXIT_OK = 0
EXIT_REFUSED = 1  # a valid request the system said no to (invalid proof, duplicate, tampered log, ...)
EXIT_USAGE = 2  # the request itself was malformed (bad arguments, unreadable or invalid input)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a process ended by SIGINT (128 + 2)
