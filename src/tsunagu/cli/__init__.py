"""Command-line interface (`tsunagu …`): argument parsing and output only, no business rules."""
