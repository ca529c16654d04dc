"""The instructor's screens: record an expert demonstration and turn it into an exercise."""
