"""Keeping the GUI thread free: the session bridge, background calls, the session runner.

Nothing here draws; every screen that runs a session or blocking work goes through these.
"""
