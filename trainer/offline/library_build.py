"""How the shipped exercise library is made: simulated experts through the real envelope builder.

No published IASTM force envelope exists, so the shipped exercises are synthetic references: the
simulator's expert mode, with force and angle ranges from the literature (``docs/domain.md``),
recorded through the same ITP/1 path, segmented and built into envelopes by the same code an
instructor's own recordings go through. They are labelled synthetic everywhere they appear, and an
instructor should replace them. ``python -m trainer.offline.library_build`` rewrites
``exercises/library/``; a test rebuilds one and checks the shipped file is current.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

from devices.sim.simulator import PLATE_CHANNELS
from exercises import library_dir
from trainer.library.draft import ExerciseDraft, build_exercise
from trainer.library.exercise import Exercise, save_exercise
from trainer.library.shipped import (
    EXPERT_SEEDS,
    LIBRARY,
    PLATE_LIBRARY,
    STROKES_PER_RECORDING,
    SYNTHETIC_NOTE,
    is_plate,
)
from trainer.offline.analysis import strokes_of_recordings
from trainer.offline.simulation import simulate_recording
from trainer.recordings.reader import read_recording


def build_library_exercise(draft: ExerciseDraft, work_dir: Path) -> Exercise:
    """One shipped exercise, built from simulated experts exactly as an instructor's would be
    (over the simulated force plate for the plate variants, ``is_plate``)."""
    paths = []
    for seed in EXPERT_SEEDS:
        path, _ = simulate_recording(
            work_dir / f"{draft.id}-expert-{seed}.csv",
            stroke_type=draft.stroke_type,
            skill="expert",
            strokes=STROKES_PER_RECORDING,
            seed=seed,
            rate_hz=1000.0,
            channels=PLATE_CHANNELS if is_plate(draft) else None,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the shipped exercise library.")
    parser.add_argument("--out", type=Path, default=library_dir())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        for draft in (*LIBRARY, *PLATE_LIBRARY):
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
