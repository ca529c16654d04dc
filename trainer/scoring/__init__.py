"""Scoring: expert envelopes (model, fit, outliers, building, leave-one-out check), the scorer and
its explanations, the ISO/TS 18571 rating, and what a run of strokes adds up to (summary, stroke
log).
"""
