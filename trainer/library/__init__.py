"""The exercise library: the exercise file format, the shipped library's build, instructors' own."""
