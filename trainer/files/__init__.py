"""Files the program writes: checked before work starts, locked while written, replaced whole.

A recording is a student's session; an exercise file is an instructor's work. Neither may be lost
to a folder that cannot be written, a full disk found out half-way, a second program writing the
same file, or a file that happened to be there already. ``output.py`` checks a path before any work
starts, ``lock.py`` keeps a second writer off it (and names the first), ``atomic.py`` writes a
whole file under a temporary name and moves it into place. Never imports Qt.
"""
