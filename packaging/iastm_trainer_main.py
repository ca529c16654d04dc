"""What the frozen executables run: the same entry point as the ``iastm-trainer`` console script.

PyInstaller needs a script, not a ``module:function`` reference, so this file stands in for the
script that pip writes for ``[project.scripts]``; a sub-command runs the command line, none opens
the application.
"""

from ui.app.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
