"""The meshscope agent: tail files, stdin and host metrics, ship them over OTLP/HTTP exactly once.

It imports only ``meshscope.model``, ``meshscope.decode`` and ``meshscope.config``-level modules,
so it installs without chDB (``pip install meshscope[agent]``).
"""
