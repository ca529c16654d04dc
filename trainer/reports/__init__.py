"""Reports: PDFs and exports of scores, session summaries and records, for students and graders.

Empty until the reports work lands. What goes here: turning ``ScoreReport``, ``SessionSummary`` and
the records into documents an instructor hands out or files, read back by the tests as real PDFs.
"""
