"""Feedback schedules: which strokes the trainee sees, and how much of each.

Feedback after every stroke speeds practice but breeds dependence on it: retention is worst when
every trial gets feedback (the guidance hypothesis, Winstein 1991), while reduced, bandwidth and
self-controlled feedback retain better (Snodgrass 2012: 6.7 N against 13.7 N peak-force error for
self-controlled against constant feedback). So the training screen never decides on its own what to
show: it asks a ``FeedbackPolicy`` two questions and obeys.

1. Before and during a stroke: ``live_for(n)`` -- may stroke number ``n`` be watched as it happens
   (the growing trace over the corridor, the rolling strip, the big angle read-out)?
2. When a stroke has been scored: ``on_stroke(n, outcome)`` -- is its result (curves over the
   corridor, score, explanation) shown in full, summarised as "inside the band", or held back?

Held-back results can be revealed later: the trainee asks for the last stroke (self-controlled),
or the block ends (a no-feedback retention or test block reveals everything at its end).

Pure logic: no Qt, no widgets, no clock, no randomness (the faded pattern is deterministic so that
two trainees on the same schedule get the same feedback and a study can report it).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass


class Schedule(enum.Enum):
    """The feedback schedules a block of practice can run under."""

    CONCURRENT = "concurrent"
    TERMINAL = "terminal"
    BANDWIDTH = "bandwidth"
    FADED = "faded"
    SELF_CONTROLLED = "self_controlled"
    NONE = "none"

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def explanation(self) -> str:
        """One sentence for the trainee: what they will see and when."""
        return _LABELS[self][1]


_LABELS: dict[Schedule, tuple[str, str]] = {
    Schedule.CONCURRENT: (
        "Concurrent (live)",
        "You see your stroke against the expert band as you make it, and its result after.",
    ),
    Schedule.TERMINAL: (
        "Terminal (after each stroke)",
        "Nothing while you stroke; your result after each stroke.",
    ),
    Schedule.BANDWIDTH: (
        "Bandwidth (only when off)",
        "Nothing while you stroke; a result only when the stroke left the band. "
        "No result means it was inside.",
    ),
    Schedule.FADED: (
        "Faded (100 %, 50 %, 20 %)",
        "Feedback on every stroke at first, then on every second, then on every fifth.",
    ),
    Schedule.SELF_CONTROLLED: (
        "Self-controlled (on request)",
        "Nothing unless you ask: press F (Show last stroke) to see your last stroke.",
    ),
    Schedule.NONE: (
        "None (retention / test block)",
        "No feedback during the block; all results are shown when the block ends.",
    ),
}


class Reveal(enum.Enum):
    """How much of a finished stroke's result the trainee sees."""

    FULL = "full"  # curves over the corridor, score, pass/fail, explanation
    IN_BAND = "in_band"  # bandwidth schedule: only "inside the band", no number
    HIDDEN = "hidden"  # nothing yet (may be revealed later)


@dataclass(frozen=True)
class StrokeOutcome:
    """What a schedule needs to know about a scored stroke (plain numbers, no trainer types)."""

    score: float
    passed: bool
    force_in_band_pct: float
    angle_in_band_pct: float | None  # None when the tool has no angle channel


@dataclass(frozen=True)
class FadedPhase:
    """``strokes`` strokes (None: for ever) with feedback on ``fraction`` of them."""

    strokes: int | None
    fraction: float


#: 100 % for the first 10 strokes, 50 % for the next 10, then 20 % (the classic faded pattern).
DEFAULT_FADED_PHASES: tuple[FadedPhase, ...] = (
    FadedPhase(10, 1.0),
    FadedPhase(10, 0.5),
    FadedPhase(None, 0.2),
)

#: Bandwidth: a stroke counts as "inside" when it passed and spent at least this much time in band.
DEFAULT_BANDWIDTH_IN_BAND_PCT = 85.0
#: Decisions remembered per block. Older ones are let go of, so a block that runs all day stays
#: small; they are far past what the stroke list still shows.
REVEALS_KEPT = 4000


class FeedbackPolicy:
    """Decides, stroke by stroke, what the trainee sees under one schedule.

    Strokes are numbered from 1 within the block (the session's ``Stroke.index``). The policy keeps
    what it decided for each stroke, so the stroke list and the plots agree, and so a later reveal
    (a request, the end of the block) changes only what was held back.
    """

    def __init__(
        self,
        schedule: Schedule,
        bandwidth_in_band_pct: float = DEFAULT_BANDWIDTH_IN_BAND_PCT,
        faded_phases: Sequence[FadedPhase] = DEFAULT_FADED_PHASES,
    ) -> None:
        if not faded_phases or faded_phases[-1].strokes is not None:
            raise ValueError("the last faded phase must run for ever (strokes=None)")
        for phase in faded_phases:
            if not 0.0 < phase.fraction <= 1.0:
                raise ValueError(f"faded fraction {phase.fraction} is not in (0, 1]")
        self.schedule = schedule
        self.bandwidth_in_band_pct = bandwidth_in_band_pct
        self.faded_phases = tuple(faded_phases)
        self._reveals: dict[int, Reveal] = {}
        self._block_ended = False

    # -- during a stroke ---------------------------------------------------------------------------
    def live_for(self, stroke_number: int) -> bool:
        """May stroke ``stroke_number`` be watched as it happens?

        Only concurrent feedback and the feedback strokes of the faded schedule (known in advance,
        since the pattern is fixed) show the live trace; every other schedule would be concurrent
        feedback in disguise if the trace, the strip or the angle read-out were live.
        """
        if self._block_ended:
            return False
        if self.schedule is Schedule.CONCURRENT:
            return True
        if self.schedule is Schedule.FADED:
            return self.faded_gives_feedback(stroke_number)
        return False

    def faded_gives_feedback(self, stroke_number: int) -> bool:
        """The fixed faded pattern: the first stroke of each group of ``1 / fraction`` strokes."""
        if stroke_number < 1:
            raise ValueError("strokes are numbered from 1")
        k = stroke_number - 1
        for phase in self.faded_phases:
            if phase.strokes is not None and k >= phase.strokes:
                k -= phase.strokes
                continue
            if k == 0:
                return True
            # Evenly spaced: feedback whenever k * fraction crosses a whole number.
            f = phase.fraction
            return math.floor(k * f + 1e-9) > math.floor((k - 1) * f + 1e-9)
        raise AssertionError("unreachable: the last phase runs for ever")

    # -- after a stroke ----------------------------------------------------------------------------
    def on_stroke(self, stroke_number: int, outcome: StrokeOutcome | None) -> Reveal:
        """Decide what the trainee sees of a stroke that has just been scored.

        ``outcome`` is None when the stroke could not be scored (no exercise): then only the
        schedules that show results at all show the stroke's curves.
        """
        reveal = self._decide(stroke_number, outcome)
        self._reveals[stroke_number] = reveal
        if len(self._reveals) > REVEALS_KEPT:
            del self._reveals[next(iter(self._reveals))]
        return reveal

    def _decide(self, n: int, outcome: StrokeOutcome | None) -> Reveal:
        s = self.schedule
        if self._block_ended:
            return Reveal.FULL
        if s in (Schedule.CONCURRENT, Schedule.TERMINAL):
            return Reveal.FULL
        if s is Schedule.FADED:
            return Reveal.FULL if self.faded_gives_feedback(n) else Reveal.HIDDEN
        if s is Schedule.BANDWIDTH:
            if outcome is None or self.left_band(outcome):
                return Reveal.FULL
            return Reveal.IN_BAND
        return Reveal.HIDDEN  # self-controlled and none hold it back

    def left_band(self, outcome: StrokeOutcome) -> bool:
        """Bandwidth criterion: failed, or too little of the stroke inside either band."""
        limit = self.bandwidth_in_band_pct
        angle = outcome.angle_in_band_pct
        return (
            not outcome.passed
            or outcome.force_in_band_pct < limit
            or (angle is not None and angle < limit)
        )

    def reveal_of(self, stroke_number: int) -> Reveal:
        return self._reveals.get(stroke_number, Reveal.HIDDEN)

    # -- revealing later ---------------------------------------------------------------------------
    @property
    def accepts_requests(self) -> bool:
        """Whether the trainee may ask to see the last stroke (self-controlled only).

        Under the other schedules a request would undo the schedule; under concurrent and terminal
        it would add nothing.
        """
        return self.schedule is Schedule.SELF_CONTROLLED and not self._block_ended

    def request_last(self) -> int | None:
        """The trainee asked to see their last stroke: the number revealed, or None."""
        if not self.accepts_requests or not self._reveals:
            return None
        last = max(self._reveals)
        self._reveals[last] = Reveal.FULL
        return last

    @property
    def holds_back_summary(self) -> bool:
        """Whether the running summary (mean score, time in band) would give feedback away.

        Under every schedule that holds some results back: a mean going from 85 to 88 after a
        hidden stroke gives away a 91, and an in-band share going up says "inside" where bandwidth
        feedback meant to say nothing at all. Only concurrent and terminal feedback, which show
        every result, show the running figures; the others show them when the block ends.
        """
        shows_all = self.schedule in (Schedule.CONCURRENT, Schedule.TERMINAL)
        return not shows_all and not self._block_ended

    def end_block(self) -> list[int]:
        """The block is over: reveal what a no-feedback block held back. Returns those strokes.

        Only the no-feedback block reveals everything at its end (its point is a test without
        guidance followed by the results). The other schedules keep their decisions, so that what
        the trainee saw during practice is what the record says they saw.
        """
        self._block_ended = True
        if self.schedule is not Schedule.NONE:
            return []
        revealed = [n for n, r in self._reveals.items() if r is not Reveal.FULL]
        for n in revealed:
            self._reveals[n] = Reveal.FULL
        return sorted(revealed)

    def status_text(self, strokes_done: int) -> str:
        """A short line for the status area: what the next stroke will get."""
        nxt = strokes_done + 1
        s = self.schedule
        if self._block_ended:
            return "Block ended: results shown."
        if s is Schedule.FADED:
            return (
                f"Stroke {nxt}: live feedback on."
                if self.faded_gives_feedback(nxt)
                else f"Stroke {nxt}: no feedback on this one."
            )
        return s.explanation
