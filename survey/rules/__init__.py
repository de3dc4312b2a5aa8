"""The rule engines: pure functions of their arguments (no Flask, no database, no clock)."""
