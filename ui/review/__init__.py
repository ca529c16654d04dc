"""Reviewing a recording stroke by stroke: any session, a recovered one, or an expert's."""
