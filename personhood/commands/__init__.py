"""CLI subcommands, one module per noun; each exposes `register(subparsers)`."""
