"""One BLAS thread for the whole process, chosen before numpy is first imported.

Why: the OpenBLAS inside numpy (and scipy's own) starts a pool of worker threads when it loads,
one per core less one, for matrix products far larger than any this program computes (its
largest are an envelope's few hundred points and a 4x101 least-squares fit). Measured on the
2-core machine of ``docs/benchmarks.md``: numpy's import took 0.076 s of CPU with the pool and
0.036 s without, and while ``record`` streamed 9 s at 10 kHz the idle pool's thread used 0.03-0.05
s more; ``record``'s whole process went from 2.65-3.03x the CPU of the minimal reader to
2.04-2.41x. The threads of the session, the link and the GUI are this program's parallelism.

The number can only be chosen before OpenBLAS loads, by the environment (``threadpoolctl`` can
shrink a pool later, but not spare starting it). A user or a lab that sets
``OPENBLAS_NUM_THREADS``, ``GOTO_NUM_THREADS`` or ``OMP_NUM_THREADS`` keeps their own choice.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

#: What OpenBLAS reads for its thread count, in its order of precedence.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def one_blas_thread(environ: MutableMapping[str, str] = os.environ) -> None:
    """Ask for a single BLAS thread, unless the environment already chose a number. Call it
    first thing in an entry point: once numpy is imported it no longer has any effect."""
    if not any(environ.get(name) for name in BLAS_THREAD_VARIABLES):
        environ["OPENBLAS_NUM_THREADS"] = "1"
