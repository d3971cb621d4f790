"""What stands in for the physical world in development, tests and training: synthetic eyes and
camera, a live eye under the illuminator, attack generators, dataset builders.

Nothing that runs on a station or a server imports this package (enforced by import-linter, see
`.importlinter`); the shell imports it for the demo and for `--dev` stations.
"""
