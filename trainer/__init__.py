"""The domain: conditioning, strokes, envelopes, scoring, sessions, recordings and the CLI.

Allowed imports: ``devices`` (its public modules), ``exercises`` (to find the shipped files), the
standard library, numpy, scipy, platformdirs. Never Qt or ``ui``: everything here runs headless.
"""
