"""Strokes: the streaming segmenter (offline is the same object fed one block), the stroke it hands
on, its settings, and the preparation of a stroke for scoring (normalised to 0..100 %).
"""
