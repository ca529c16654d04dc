"""``python -m trainer.cli``: the command line without the console script (a bare checkout)."""

import sys

from trainer.cli.threads import one_blas_thread

one_blas_thread()  # before anything imports numpy (see trainer.cli.threads)

from trainer.cli.main import main  # noqa: E402

sys.exit(main())
