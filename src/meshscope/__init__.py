"""meshscope: logs, metrics, traces and the service map of a microservice system, in one program."""

__version__ = "0.1.0"
