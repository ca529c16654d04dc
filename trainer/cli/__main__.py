"""``python -m trainer.cli``: the command line without the console script (a bare checkout)."""

import sys

from trainer.cli.main import main

sys.exit(main())
