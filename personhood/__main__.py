"""`python -m personhood` runs the CLI."""

from .cli import main

raise SystemExit(main())
