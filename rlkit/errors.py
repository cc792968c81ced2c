"""The one exception type for bad user input: the CLI prints its message on one line and exits non-zero."""


class ConfigError(ValueError):
    """A user-supplied value rlkit cannot accept; the message names the value and what would be accepted."""


class RunError(RuntimeError):
    """A run that cannot go on (a non-finite loss, an env that raised); the CLI prints it on one line, exit 1."""
