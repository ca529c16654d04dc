"""Scoring a long recording's strokes in a second process while the rest is still segmented.

Why: ``score`` of an hour at 1 kHz segments for 0.36-0.42 s and scores for 0.26-0.30 s, one after
the other on one core, and a lab machine has two. A stroke's score depends on that stroke and the
envelope only (``scoring.md``, section 3), so the strokes found in each piece of the recording
can be scored elsewhere while the next piece is segmented. Measured on the hour (1636 strokes):
segmenting and scoring 0.68-0.78 s in one process, 0.50-0.55 s with the second; on 957 000
samples (500 strokes) 0.27-0.28 s against 0.185 s; on 194 000 samples (100 strokes) starting the
second process cost 0.02 s more than it saved, hence ``MIN_SAMPLES``.

Only where a process can be forked, which on Linux starts a copy of this one, scorer and all, in
milliseconds (a spawned one would import everything again, 0.3 s), with a second core, and only
for command-line processes: a window's process holds Qt's threads, which a fork does not copy.
Scores come back in the order the strokes were sent and are the numbers this process would have
computed (the same code on the same data). If the second process cannot start, dies or fails on
a piece, those strokes are scored here instead: a result is never lost and never different.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from trainer.scoring.scorer import Scorer, StrokeScore
from trainer.strokes.stroke import Stroke

#: Recordings shorter than this are scored in this process (see the module notes).
MIN_SAMPLES = 600_000

#: The scorer the second process uses, set when it starts (it is forked with it).
_worker_scorer: Scorer | None = None


def can_score_beside(samples: int) -> bool:
    """Whether a recording of ``samples`` is worth a second process, and one can be forked:
    on Linux only (macOS has fork, but system libraries loaded before it may not survive it)."""
    return (
        samples >= MIN_SAMPLES
        and (os.cpu_count() or 1) >= 2
        and sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
    )


class ScoringBeside:
    """Strokes handed over as they are found; ``scores`` returns all of their scores in order.

    Use as a context manager, so that the second process is always shut down."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer
        #: How many strokes the second process scored (the rest were scored here).
        self.scored_beside = 0
        self._sent: list[tuple[list[Stroke], Future[list[StrokeScore]] | None]] = []
        self._pool: ProcessPoolExecutor | None = None
        self._failed = False

    def __enter__(self) -> ScoringBeside:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, strokes: list[Stroke]) -> None:
        """Hand over strokes to be scored; the caller goes on at once."""
        if not strokes:
            return
        future = None
        pool = self._started()
        if pool is not None:
            try:
                with _interrupts_held():  # the first submit forks
                    future = pool.submit(score_in_worker, strokes)
            except Exception:  # the pool is broken or shut: score these here, later
                self._failed = True
        self._sent.append((strokes, future))

    def scores(self) -> list[StrokeScore]:
        """Every stroke's score, in the order the strokes were handed over."""
        out: list[StrokeScore] = []
        for strokes, future in self._sent:
            got = None
            if future is not None:
                try:
                    got = future.result()
                except Exception:  # died or failed there: the same code here gives the answer
                    self._failed = True
            if got is None or len(got) != len(strokes):
                got = self.scorer.score_many(strokes)
            else:
                self.scored_beside += len(strokes)
            out.extend(got)
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _started(self) -> ProcessPoolExecutor | None:
        if self._pool is None and not self._failed:
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_start_worker,
                    initargs=(self.scorer, os.getpid()),
                )
            except (OSError, ValueError):
                self._failed = True
        return None if self._failed else self._pool


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl+C held back while the second process is forked, and delivered just after.

    One that arrived during the fork was raised inside the handlers Python runs around it
    (logging's), where it is reported as "Exception ignored" and dropped: the command printed
    that and then ran on to the end as if never interrupted. Held, it is raised here, after the
    fork, and the command stops as it does anywhere else."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def score_in_worker(strokes: list[Stroke]) -> list[StrokeScore]:
    """In the second process: the strokes' scores by the scorer it was started with."""
    assert _worker_scorer is not None, "the scoring process was not started with a scorer"
    return _worker_scorer.score_many(strokes)


def _start_worker(scorer: Scorer, parent: int) -> None:
    global _worker_scorer
    _worker_scorer = scorer
    # Ctrl+C is the command's to handle: the second process just stops when told to.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)


#: Linux's prctl option: the signal this process gets when the one that forked it ends.
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """End when the command ends, however it ends. A forked process holds both ends of the pipe
    its work comes through, so it never sees the command go: a ``score`` killed by SIGTERM or
    SIGKILL left it waiting for ever, holding 160 MB and the terminal's output."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: only the check below
        pass
    if os.getppid() != parent:  # the command ended before that was set
        os._exit(0)
