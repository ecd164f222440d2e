"""The one exception type that command-line tools turn into a one-line message.

Raise :class:`SqzError` for anything the user can fix (a bad file, line, key or
argument). Its message must name the file, line or key at fault, on one line.
"""


class SqzError(Exception):
    """A user-facing error; ``tools/*.py`` print ``error: <message>`` and exit 2."""
