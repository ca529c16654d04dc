"""Whole-recording work: scoring a file, building an exercise from experts' files, simulating a
recording. The same segmenter and scorer the live session uses, fed one block.
"""
