"""A small shop of instrumented microservices that feeds meshscope real OpenTelemetry data.

``meshscope demo`` starts the server, five services (gateway, orders, payments, inventory,
notifications) that call each other over HTTP with W3C trace propagation, and a load
generator, so a first-time user sees traces, logs, metrics and the service map within a minute.
"""
