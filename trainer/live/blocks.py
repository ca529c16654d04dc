"""Blocks of practice: a run of strokes under one feedback schedule on one exercise.

A class runs a sequence of blocks (practice with concurrent feedback, practice faded, a retention
block with none, later a transfer block on another exercise), and each must be graded on its own:
a test block's mean must not be mixed with the practice before it. So a session keeps its strokes
in blocks; changing the schedule ends one block and starts the next, and each block's start and
end (with its schedule, its exercise and its own summary) are marked in the recording's events,
where the records will read them.

Bookkeeping only: no I/O, no clock, no Qt. ``BlockTracker`` returns the event lines to write and
the session writes them. Strokes arrive on the session's thread while a screen reads the summaries
on its own, so the tracker has a lock of its own.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from trainer.library.exercise import Exercise
from trainer.scoring.scorer import StrokeScore
from trainer.scoring.stroke_log import StrokeLog
from trainer.scoring.summary import SessionSummary, summarise_log

BLOCK_START = "block_start"
BLOCK_END = "block_end"
#: How many practice topics a block's summary names.
TOPICS_NAMED = 2

#: What a stroke's explanation sentence is about, as a thing to practise (first match wins).
_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^too hard\b"), "a lighter touch: you pressed harder than the band"),
    (re.compile(r"^too light\b"), "firmer pressure: you pressed lighter than the band"),
    (re.compile(r"^angle .* too steep\b"), "a flatter tool: you held it steeper than the band"),
    (re.compile(r"^angle .* too flat\b"), "a steeper tool: you held it flatter than the band"),
    (re.compile(r"^too slow\b"), "a quicker stroke: yours took longer than the expert's"),
    (re.compile(r"^too fast\b"), "a slower stroke: yours was quicker than the expert's"),
    (re.compile(r"^peak force too late\b"), "reaching the peak force earlier in the stroke"),
    (re.compile(r"^peak force too early\b"), "reaching the peak force later in the stroke"),
    (re.compile(r"^uneven pressure\b"), "an even pressure through the stroke"),
)


def practice_topics(scores: list[StrokeScore], n: int = TOPICS_NAMED) -> list[str]:
    """The ``n`` things most worth practising, from the strokes' explanations.

    Each explanation sentence counts for its topic by the marks its stroke lost (a stroke at 95
    teaches less than one at 40), so the topics are the costliest habits of the block, not the
    most frequent remarks. Each topic says in how many strokes it came up. Strokes that lost no
    marks add nothing; an empty list means nothing stood out.
    """
    weight: Counter[str] = Counter()
    strokes: Counter[str] = Counter()
    for score in scores:
        lost = max(0.0, 100.0 - float(score.score))
        seen: set[str] = set()
        for sentence in score.explanation:
            topic = _topic_of(sentence)
            if topic is None or topic in seen:
                continue
            seen.add(topic)
            weight[topic] += lost
            strokes[topic] += 1
    ranked = [t for t, w in weight.most_common() if w > 0][:n]
    return [f"{t[0].upper()}{t[1:]} ({strokes[t]} of {len(scores)} strokes)" for t in ranked]


def _topic_of(sentence: str) -> str | None:
    for pattern, topic in _TOPICS:
        if pattern.search(sentence):
            return topic
    return None


@dataclass
class Block:
    """One block: its place in the session, what it ran under, and its strokes' figures."""

    number: int
    schedule: str
    exercise: Exercise | None
    first_stroke: int  # session stroke number its first stroke gets (1-based)
    start_t_s: float | None = None
    end_t_s: float | None = None
    strokes: int = 0
    log: StrokeLog = field(default_factory=StrokeLog)
    scores: list[StrokeScore] = field(default_factory=list)

    @property
    def exercise_id(self) -> str | None:
        return self.exercise.id if self.exercise is not None else None

    @property
    def ended(self) -> bool:
        return self.end_t_s is not None

    def summary(self) -> SessionSummary | None:
        """The block's own summary (None without an exercise to score against)."""
        ex = self.exercise
        if ex is None:
            return None
        return summarise_log(self.log, ex.pass_mark, ex.envelope, ex.block)

    def topics(self) -> list[str]:
        return practice_topics(self.scores)

    def start_fields(self) -> dict[str, Any]:
        return {
            "block": self.number,
            "schedule": self.schedule,
            "exercise": _exercise_label(self.exercise),
            "first_stroke": self.first_stroke,
        }

    def end_fields(self) -> dict[str, Any]:
        summary = self.summary()
        return {
            **self.start_fields(),
            "strokes": self.strokes,
            "last_stroke": self.first_stroke + self.strokes - 1 if self.strokes else None,
            "score_summary": summary.as_json() if summary is not None else None,
            "practise": self.topics(),
        }


@dataclass(frozen=True)
class BlockReport:
    """A block as a screen shows it: a copy, safe to keep on the GUI thread."""

    number: int
    schedule: str
    exercise_id: str | None
    first_stroke: int
    strokes: int
    summary: SessionSummary | None
    topics: list[str]
    ended: bool


#: Scores a block keeps whole for its practice topics; its figures are all in ``log``.
SCORES_KEPT = 1000


class BlockTracker:
    """The session's blocks, in order; the last one is the current block until it ends."""

    def __init__(self, exercise: Exercise | None, schedule: str) -> None:
        self.exercise = exercise
        self.blocks: list[Block] = [Block(1, schedule, exercise, first_stroke=1)]
        self._strokes = 0
        self._lock = threading.Lock()

    @property
    def current(self) -> Block:
        return self.blocks[-1]

    def add(self, score: StrokeScore | None) -> None:
        """A stroke of the current block (unscored strokes count too)."""
        with self._lock:
            self._strokes += 1
            block = self.current
            block.strokes += 1
            if score is not None:
                block.log.append(score)
                block.scores.append(score)
                if len(block.scores) > SCORES_KEPT:
                    del block.scores[0]

    def report(self, number: int | None = None) -> BlockReport:
        """What a screen shows of block ``number`` (the current one by default)."""
        with self._lock:
            block = self.current if number is None else self.blocks[number - 1]
            return BlockReport(
                number=block.number,
                schedule=block.schedule,
                exercise_id=block.exercise_id,
                first_stroke=block.first_stroke,
                strokes=block.strokes,
                summary=block.summary(),
                topics=block.topics(),
                ended=block.ended,
            )

    def reports(self) -> list[BlockReport]:
        return [self.report(n) for n in range(1, len(self.blocks) + 1)]

    def begin(self, t_s: float | None) -> tuple[str, dict[str, Any]]:
        """The first block starts (with the recording): its start event."""
        self.current.start_t_s = t_s
        return BLOCK_START, self.current.start_fields()

    def next_block(
        self, schedule: str, t_s: float | None, exercise: Exercise | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """End the current block at ``t_s`` and start one under ``schedule``: the two events."""
        events = [self.end(t_s)]
        with self._lock:
            return [*events, self._append(schedule, t_s, exercise)]

    def _append(
        self, schedule: str, t_s: float | None, exercise: Exercise | None
    ) -> tuple[str, dict[str, Any]]:
        block = Block(
            len(self.blocks) + 1,
            schedule,
            exercise if exercise is not None else self.exercise,
            first_stroke=self._strokes + 1,
            start_t_s=t_s,
        )
        self.blocks.append(block)
        return BLOCK_START, block.start_fields()

    def end(self, t_s: float | None) -> tuple[str, dict[str, Any]]:
        """End the current block: its end event, with its own summary and practice topics."""
        with self._lock:
            block = self.current
            block.end_t_s = t_s if t_s is not None else (block.start_t_s or 0.0)
            return BLOCK_END, block.end_fields()


def _exercise_label(exercise: Exercise | None) -> str | None:
    return None if exercise is None else f"{exercise.id} v{exercise.version}"
