"""The one exception the engine raises for anything the user got wrong."""


class SpecError(ValueError):
    """Bad user input: a spec, a reference or a value. Its message is one line for the user."""
