"""The shipped exercise library, as drafts: which exercises there are, with what detection.

No published IASTM force envelope exists, so the shipped exercises are synthetic references built
from the simulator's expert mode with force and angle ranges from the literature
(``docs/domain.md``), labelled synthetic everywhere they appear; an instructor should replace them.
``trainer.offline.library_build`` turns these drafts into ``exercises/library/``.
"""

from __future__ import annotations

from dataclasses import replace

from trainer.library.draft import ExerciseDraft
from trainer.strokes.detection import DetectionSettings

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
            "Long, even two-handed strokes along the muscle fibres, the tool steady in the "
            "experts' angle band (published guidance: 30 to 60 degrees). "
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
            "light, go deeper through the second half, the tool in the experts' angle band."
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
            "the tool in the experts' angle band, moderate force released through the hook."
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
            "rises as the arc opens. The tool in the experts' angle band."
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


#: Plate variants of every stroke type: the same strokes over a force plate with a skin simulant,
#: as the published IASTM force studies measured them; scored on force, tempo, smoothness and the
#: stroke's path (no tool angle).
PLATE_SUFFIX = "-plate"
PLATE_LIBRARY: tuple[ExerciseDraft, ...] = tuple(
    replace(
        d,
        id=f"{d.id}{PLATE_SUFFIX}",
        name=f"{d.name} on a force plate",
        body_region="force plate with a skin simulant",
        description=(
            f"{d.description} Over a force plate: force and the stroke's path (its length, "
            "direction and shape) are scored; the plate measures no tool angle."
        ),
    )
    for d in LIBRARY
)


def is_plate(draft: ExerciseDraft) -> bool:
    """A plate variant (``PLATE_LIBRARY``)."""
    return draft.id.endswith(PLATE_SUFFIX)


def detection_for(stroke_type: str) -> DetectionSettings:
    """The detection thresholds the shipped exercise of this stroke type uses (light brushing
    needs a lower force floor), for recording an instructor's demonstration of it."""
    for draft in LIBRARY:
        if draft.stroke_type == stroke_type:
            return draft.detection
    return DetectionSettings()
