"""How the shipped exercise library is made: simulated experts through the real envelope builder.

No published IASTM force envelope exists, so the shipped exercises are synthetic references: the
simulator's expert mode, with force and angle ranges from the literature (``domain.md``), recorded
through the same ITP/1 path, segmented and built into envelopes by the same code an instructor's
own recordings go through. They are labelled synthetic everywhere they appear, and an instructor
should replace them. ``python -m trainer.library_build`` rewrites ``exercises/library/``; a test
rebuilds one and checks the shipped file is current.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from exercises import library_dir
from trainer.analysis import ExerciseDraft, build_exercise, strokes_of_recordings
from trainer.exercise import Exercise, save_exercise
from trainer.recording import read_recording
from trainer.segmentation import DetectionSettings
from trainer.simulation import simulate_recording

EXPERT_SEEDS = (101, 102, 103)
STROKES_PER_RECORDING = 10
SYNTHETIC_NOTE = (
    "Synthetic reference built from published force and angle ranges (Martonick 2022, Baker 2024, "
    "and the stroke descriptions of common IASTM curricula). No published optimal force exists: "
    "replace this envelope with your own expert recordings."
)

LIBRARY: tuple[ExerciseDraft, ...] = (
    ExerciseDraft(
        id="sweep",
        name="Sweep",
        stroke_type="sweep",
        body_region="forearm (wrist extensors)",
        instrument="single-bevel convex instrument, two hands",
        description=(
            "Long, even two-handed strokes along the muscle fibres, tool at 30 to 60 degrees. "
            "Build to a moderate, steady force and keep it through the middle of the stroke."
        ),
    ),
    ExerciseDraft(
        id="scan",
        name="Scan",
        stroke_type="scan",
        body_region="thigh (iliotibial band)",
        instrument="single-bevel straight instrument",
        description=(
            "Scanning strokes along the fibres in both directions to find restrictions: start "
            "light, go deeper through the second half, tool at 30 to 60 degrees."
        ),
    ),
    ExerciseDraft(
        id="j-stroke",
        name="J-stroke",
        stroke_type="j_stroke",
        body_region="lateral elbow",
        instrument="small concave instrument, pencil grip",
        description=(
            "Short hooked strokes with a pencil grip: a straight run that curls off at the end, "
            "tool at 30 to 60 degrees, moderate force released through the hook."
        ),
    ),
    ExerciseDraft(
        id="fan",
        name="Fan",
        stroke_type="fan",
        body_region="upper trapezius",
        instrument="single-bevel convex instrument",
        description=(
            "One end of the instrument stays nearly still while the other sweeps an arc; force "
            "rises as the arc opens. Tool at 30 to 60 degrees."
        ),
    ),
    ExerciseDraft(
        id="brush",
        name="Brush (frame)",
        stroke_type="brush",
        body_region="around the lateral malleolus",
        instrument="small convex instrument",
        description=(
            "Light, quick desensitising strokes around a bony prominence, at a low tool angle. "
            "Keep the force light and even: this exercise is about restraint."
        ),
        detection=DetectionSettings(f_on_floor_n=1.0),
    ),
    ExerciseDraft(
        id="strum",
        name="Strum",
        stroke_type="strum",
        body_region="hamstring tendon",
        instrument="single-bevel instrument, edge across the fibres",
        description=(
            "Short, deep strokes across the fibres, tool steep at 60 to 90 degrees. Reach the "
            "depth quickly and release cleanly."
        ),
    ),
    ExerciseDraft(
        id="scoop",
        name="Scoop",
        stroke_type="scoop",
        body_region="plantar fascia",
        instrument="concave knob instrument",
        description=(
            "Deep scooping strokes with the tool at about 90 degrees: a quick rise to a deep "
            "force, then scoop out of the tissue."
        ),
    ),
)


def build_library_exercise(draft: ExerciseDraft, work_dir: Path) -> Exercise:
    """One shipped exercise, built from simulated experts exactly as an instructor's would be."""
    paths = []
    for seed in EXPERT_SEEDS:
        path, _ = simulate_recording(
            work_dir / f"{draft.id}-expert-{seed}.csv",
            stroke_type=draft.stroke_type,
            skill="expert",
            strokes=STROKES_PER_RECORDING,
            seed=seed,
            rate_hz=1000.0,
        )
        paths.append(path)
    recordings = [read_recording(p) for p in paths]
    strokes = strokes_of_recordings(recordings, draft.detection)
    synthetic = replace(
        draft, synthetic=True, recorded_by="iastm-trainer simulator (expert)", note=SYNTHETIC_NOTE
    )
    files = tuple(p.name for p in paths)
    exercise, build = build_exercise(synthetic, strokes, files)
    # As an instructor would: drop the strokes the builder flags as outliers, then rebuild.
    flagged = set(build.outlier_indices)
    if flagged:
        keep = [s.index not in flagged for s in strokes]
        exercise, _ = build_exercise(synthetic, strokes, files, keep=keep)
    return exercise


def detection_for(stroke_type: str) -> DetectionSettings:
    """The detection thresholds the shipped exercise of this stroke type uses (light brushing
    needs a lower force floor), for recording an instructor's demonstration of it."""
    for draft in LIBRARY:
        if draft.stroke_type == stroke_type:
            return draft.detection
    return DetectionSettings()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the shipped exercise library.")
    parser.add_argument("--out", type=Path, default=library_dir())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        for draft in LIBRARY:
            exercise = build_library_exercise(draft, Path(d))
            path = save_exercise(exercise, args.out / f"{exercise.id}.json")
            cal = exercise.calibration
            print(
                f"{path}: {exercise.provenance.strokes} strokes, LOO median "
                f"{cal.get('median', float('nan')):.1f}, p5 {cal.get('p5', float('nan')):.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
