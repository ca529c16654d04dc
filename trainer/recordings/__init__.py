"""Recordings: the CSV of ``docs/interfaces.md`` (writer, reader), the events sidecar, and the
recovery of recordings a crash left unfinished. Nothing recorded is ever rewritten here.
"""
