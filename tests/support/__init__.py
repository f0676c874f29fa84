"""Helpers the tests share: real server processes, free ports, OTel SDK senders."""
