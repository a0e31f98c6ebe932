"""The base of every error the `warehouse` command reports as a message, not a traceback."""


class WarehouseError(RuntimeError):
    """A problem the user can act on; the message says what and where."""
