"""`planbot` subcommands, one module per area."""
