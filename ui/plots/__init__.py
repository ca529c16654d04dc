"""Plots: the live strip and stroke plots that paint themselves, the angle read-out, and the
recording overview. They draw numbers they are given; they never decide what a number means.
"""
