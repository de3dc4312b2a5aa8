"""Verbs that change state. Each validates, flushes and never commits: the caller commits once."""


class ServiceError(ValueError):
    """A request that the rules refuse; the message is translated and safe to show."""
