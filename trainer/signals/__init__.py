"""Signals: arrays in, arrays out. Tare, calibration, filters, the baseline, regions, smoothness.

The small numerical pieces between a device's numbers and the stroke detector; none of them decides
what a stroke is.
"""
