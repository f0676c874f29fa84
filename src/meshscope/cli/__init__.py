"""The ``meshscope`` command."""
