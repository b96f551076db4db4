"""The one exception type that means "the user gave us something we cannot use".

The CLI turns a `UserError` into a single line on stderr and a non-zero exit; any
other exception is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Bad input from the user: a file, a flag or an image we cannot use."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, as Ctrl-C raises KeyboardInterrupt: the
    same clean-up runs for both (render.py installs the handler)."""
