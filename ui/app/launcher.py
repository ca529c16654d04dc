"""The ``iastm-trainer`` entry point: a sub-command runs the command line, nothing opens the app.

Sub-commands must work on a machine with no display and no Qt libraries (a lab server scoring
recordings, a CI job), so this module imports neither Qt nor the application unless it is about
to open a window; the command line is imported only when a sub-command was given.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from trainer.cli.main import main as cli_main

        return cli_main(args)
    from ui.app.application import run

    return run([sys.argv[0] if sys.argv else "iastm-trainer"])


if __name__ == "__main__":  # pragma: no cover - `python -m ui.app.launcher`
    raise SystemExit(main())
