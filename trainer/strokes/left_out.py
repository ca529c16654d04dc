"""Contacts the stroke detector saw and did not take for strokes, said in words.

A grader must never find a stroke missing without being told why. The segmenter counts what it
leaves out (``StrokeSegmenter.counters``); offline analysis turns the totals into notes, and a
live session turns each new one into a note to the trainee as it happens.
"""

from __future__ import annotations

from trainer.strokes.detection import DetectionSettings

#: The segmenter's counters of contacts that did not become strokes.
LEFT_OUT_KEYS = (
    "dropped_held",
    "dropped_overlong",
    "dropped_incomplete",
    "open_at_end",
    "cut_by_gap",
    "dropped_short",
)


def left_out_counts(counters: dict[str, int]) -> dict[str, int]:
    """The counters of ``LEFT_OUT_KEYS`` alone."""
    return {k: int(counters.get(k, 0)) for k in LEFT_OUT_KEYS}


def contacts_not_scored(counters: dict[str, int], settings: DetectionSettings) -> list[str]:
    """What the segmenter saw and did not take for a stroke, one sentence per reason: an
    instructor grading a recording must not find a stroke missing without being told why."""
    c = counters
    out = []
    if c["dropped_held"]:
        out.append(
            f"{c['dropped_held']} contact(s) held a load still for "
            f"{settings.rebaseline_hold_ms / 1000:g} s, as a load cell whose zero steps or a tool "
            "left resting does: taken as the new zero, not strokes, and not scored"
        )
    if c["dropped_overlong"]:
        out.append(
            f"{c['dropped_overlong']} contact(s) lasted over {settings.max_stroke_ms / 1000:g} s "
            "with no valley to cut them at: not taken for strokes, and not scored"
        )
    cut = c["dropped_incomplete"] + c["open_at_end"] + c["cut_by_gap"]
    if cut:
        out.append(
            f"{cut} stroke(s) cut off by the start or the end of the recording or by a gap in "
            "its samples: incomplete, and not scored"
        )
    if c["dropped_short"]:
        out.append(
            f"{c['dropped_short']} touch(es) shorter than {settings.min_stroke_ms:g} ms: too "
            "short for strokes, and not scored"
        )
    return out


def said_live(new: dict[str, int], settings: DetectionSettings) -> list[str]:
    """The same, said to a trainee the moment it happens: short enough for one line of the
    training screen's banner, about the contact just made."""
    c = new

    def which(n: int) -> str:
        return "That contact" if n == 1 else f"{n} contacts"

    out = []
    if c["dropped_held"]:
        out.append(
            f"Not scored: {which(c['dropped_held']).lower()} held still for "
            f"{settings.rebaseline_hold_ms / 1000:g} s, so it was taken as the tool resting."
        )
    if c["dropped_overlong"]:
        out.append(
            f"Not scored: {which(c['dropped_overlong']).lower()} lasted over "
            f"{settings.max_stroke_ms / 1000:g} s, too long for a stroke."
        )
    cut = c["dropped_incomplete"] + c["open_at_end"] + c["cut_by_gap"]
    if cut:
        out.append(
            f"Not scored: {which(cut).lower()} was cut off before it ended, by a gap in the "
            "tool's data or by stopping."
        )
    if c["dropped_short"]:
        out.append(
            f"Not scored: {which(c['dropped_short']).lower()} was shorter than "
            f"{settings.min_stroke_ms:g} ms, too short for a stroke."
        )
    return out
