"""The `exchange` command: one module per command group."""
