"""Views of scored strokes shared by the training and review screens: rows, list, plots, summary."""
