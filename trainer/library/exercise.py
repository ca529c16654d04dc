"""The exercise: what a trainee practises and what their strokes are scored against.

An exercise file is versioned, human-readable JSON, so that an instructor can read it, a diff shows
what changed, and a file written today still loads in years. It holds the exercise's identity and
teaching text, the detection thresholds, the scoring weights and pass mark, the expert envelope,
and the provenance of that envelope (who recorded it, when, from how many strokes, or that it is a
synthetic reference from published ranges). ``schema_version`` is checked on load: a newer file
than this program understands is refused with a clear message instead of being misread, and an
older one is read as it was meant.

Schema 2 took consistency out of a stroke's score (a stroke's score is its own; consistency is a
block figure): ``scoring.weights`` has no ``consistency`` and ``scoring.block`` holds the block
criteria. A schema 1 file's consistency weight moves there as ``block.consistency_weight`` (its
share of the five weights) and the four stroke weights keep their proportions; a schema 1 file
with the old default weights (35/25/15/10/15) gets the new defaults (40/30/18/12, and 0.15).

Schema 3 adds ``scoring.tolerances``, the outer tolerances an instructor may set for the exercise
(``trainer.scoring.tolerances``: how far a stroke may stray in force, angle, pace, peak timing and
smoothness before the sub-score reaches zero). A file is written with the lowest schema that holds
what it says: an exercise with the design's tolerances has no such section and stays schema 2, so
a program of the year before still reads it; one with tolerances of its own is schema 3, which
such a program refuses by name ("written by a newer iastm-trainer") rather than scoring it with
tolerances it does not know.

Never imports Qt.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exercises import library_dir
from trainer.fields import (
    FieldError,
    as_number,
    as_section,
    choice,
    integer,
    known_only,
    number,
    section,
    shown,
    text,
    text_list,
)
from trainer.files.atomic import write_atomic
from trainer.files.output import OutputError
from trainer.scoring.envelope import Envelope, EnvelopeError
from trainer.scoring.tolerances import ScoringTolerances
from trainer.scoring.weights import BlockCriteria, ScoringError, ScoringWeights
from trainer.strokes.detection import DetectionSettings

if TYPE_CHECKING:
    from trainer.scoring.scorer import Scorer

FORMAT_NAME = "iastm-trainer exercise"
#: The fields of an exercise file (schemas 1 to 3 alike), of its scoring and provenance sections.
_EXERCISE_FIELDS = (
    "format", "schema_version", "id", "version", "name", "stroke_type", "body_region",
    "instrument", "description", "provenance", "detection", "scoring", "calibration", "envelope",
)  # fmt: skip
_SCORING_FIELDS = ("weights", "pass_mark", "block", "tolerances")
_PROVENANCE_FIELDS = ("kind", "recorded_by", "recorded_on", "strokes", "source_files", "note")
#: 2: consistency left the stroke weights for ``scoring.block``; 3: ``scoring.tolerances`` (see
#: the module's notes). The newest this program reads; a file is written with the lowest one
#: that holds what it says (``schema_needed``).
SCHEMA_VERSION = 3
_SCHEMA_WITHOUT_TOLERANCES = 2
#: Schema 1's weights, consistency among them, and its defaults for a name left out.
_V1_DEFAULT_WEIGHTS = {
    "force": 0.35,
    "angle": 0.25,
    "tempo": 0.15,
    "smoothness": 0.10,
    "consistency": 0.15,
}
STROKE_TYPES = ("sweep", "scan", "j_stroke", "fan", "brush", "strum", "scoop")
PROVENANCE_KINDS = ("expert", "synthetic")
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def is_valid_exercise_id(text: str) -> bool:
    """Lower-case letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64."""
    return bool(_ID_PATTERN.match(text))


class ExerciseError(Exception):
    """An exercise that cannot be found, read or trusted; the message names the file and field."""


@dataclass(frozen=True)
class Provenance:
    """Where an envelope came from: an instructor's recordings or a synthetic reference."""

    kind: str  # "expert" or "synthetic"
    recorded_by: str = ""
    recorded_on: str = ""
    strokes: int = 0
    source_files: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_synthetic(self) -> bool:
        return self.kind == "synthetic"

    def describe(self) -> str:
        if self.is_synthetic:
            return (
                f"Synthetic reference from published ranges ({self.strokes} simulated expert "
                "strokes). Replace it with your own expert recordings."
            )
        who = self.recorded_by or "an unnamed expert"
        when = f" on {self.recorded_on}" if self.recorded_on else ""
        return f"Recorded by {who}{when} from {self.strokes} strokes."

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "recorded_by": self.recorded_by,
            "recorded_on": self.recorded_on,
            "strokes": self.strokes,
            "source_files": list(self.source_files),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        """The ``provenance`` section of an exercise file; a ``FieldError`` (a ``ValueError``)
        names the first bad field, which ``Exercise.from_dict`` reports with the file."""
        p = "provenance"
        known_only(d, _PROVENANCE_FIELDS, within=p)
        return cls(
            kind=choice(d, "kind", PROVENANCE_KINDS, within=p),
            recorded_by=text(d, "recorded_by", within=p, default=""),
            recorded_on=text(d, "recorded_on", within=p, default=""),
            strokes=integer(d, "strokes", within=p, default=0),
            source_files=text_list(d, "source_files", within=p, default=()),
            note=text(d, "note", within=p, default=""),
        )


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    stroke_type: str
    body_region: str
    instrument: str
    description: str
    envelope: Envelope
    provenance: Provenance
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    pass_mark: float = 70.0
    version: int = 1
    block: BlockCriteria = field(default_factory=BlockCriteria)
    calibration: dict[str, Any] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False)
    tolerances: ScoringTolerances = field(default_factory=ScoringTolerances)

    @property
    def schema_needed(self) -> int:
        """The lowest schema that holds this exercise: 2 unless it sets tolerances of its own."""
        return _SCHEMA_WITHOUT_TOLERANCES if self.tolerances.is_default else SCHEMA_VERSION

    def scorer(self) -> Scorer:
        """The scorer of this exercise's strokes: its envelope, weights, tolerances, pass mark."""
        from trainer.scoring.scorer import Scorer  # numpy and the ISO rating, only when scoring

        return Scorer(
            self.envelope, self.weights, self.pass_mark, self.stroke_type, self.tolerances
        )

    @property
    def technique(self) -> str:
        return self.stroke_type.replace("_", "-")

    def listing(self) -> dict[str, Any]:
        """The short description ``iastm-trainer exercises --json`` prints."""
        return {
            "id": self.id,
            "name": self.name,
            "technique": self.technique,
            "body_region": self.body_region,
            "instrument": self.instrument,
            "pass_mark": self.pass_mark,
            "synthetic": self.provenance.is_synthetic,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "schema_version": self.schema_needed,
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "stroke_type": self.stroke_type,
            "body_region": self.body_region,
            "instrument": self.instrument,
            "description": self.description,
            "provenance": self.provenance.to_dict(),
            "detection": self.detection.to_dict(),
            "scoring": {
                "weights": self.weights.to_dict(),
                "pass_mark": self.pass_mark,
                "block": self.block.to_dict(),
                **({} if self.tolerances.is_default else {"tolerances": self.tolerances.to_dict()}),
            },
            "calibration": self.calibration,
            "envelope": self.envelope.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Any, source: Path | None = None) -> Exercise:
        """An exercise from its file's contents; ``ExerciseError`` names the file and the field."""
        where = str(source) if source else "exercise"
        if not isinstance(d, dict):
            raise ExerciseError(f"{where}: not an exercise (expected a JSON object)")
        if d.get("format") != FORMAT_NAME:
            raise ExerciseError(
                f"{where}: not an exercise file (field 'format' is not '{FORMAT_NAME}')"
            )
        try:
            version = integer(d, "schema_version", minimum=1)
            # A misspelt or misplaced field would be a setting silently ignored: refused, named.
            known_only(d, _EXERCISE_FIELDS)
            if version > SCHEMA_VERSION:
                raise ExerciseError(
                    f"{where}: written by a newer iastm-trainer (schema {version}; this one reads "
                    f"up to {SCHEMA_VERSION}); update the program"
                )
            ex_id = text(d, "id", blank=False)
            if not is_valid_exercise_id(ex_id):
                raise FieldError(
                    "id", f"must be lower-case letters, digits, '-', '_' or '.', not {shown(ex_id)}"
                )
            stroke_type = choice(d, "stroke_type", STROKE_TYPES)
            scoring = section(d, "scoring", optional=True)
            known_only(scoring, _SCORING_FIELDS, within="scoring")
            pass_mark = number(
                scoring, "pass_mark", within="scoring", default=70.0, minimum=0.0, maximum=100.0
            )
            raw_weights = section(scoring, "weights", within="scoring", optional=True)
            try:
                tolerances = ScoringTolerances.from_dict(
                    section(scoring, "tolerances", within="scoring", optional=True)
                )
                if version < 2:
                    weights, block = _weights_of_schema_1(raw_weights)
                else:
                    weights = ScoringWeights.from_dict(raw_weights)
                    block = BlockCriteria.from_dict(
                        section(scoring, "block", within="scoring", optional=True)
                    )
            except ScoringError as exc:
                # The scoring room names its fields from its own section ('weights.tempo'); in
                # the file they sit under 'scoring'.
                raise ScoringError(str(exc).replace("field '", "field 'scoring.", 1)) from None
            return cls(
                id=ex_id,
                name=text(d, "name", blank=False),
                stroke_type=stroke_type,
                body_region=text(d, "body_region", blank=False),
                instrument=text(d, "instrument", blank=False),
                description=text(d, "description", default=""),
                envelope=Envelope.from_dict(section(d, "envelope")),
                provenance=Provenance.from_dict(section(d, "provenance")),
                detection=DetectionSettings.from_dict(section(d, "detection", optional=True)),
                weights=weights,
                pass_mark=pass_mark,
                block=block,
                tolerances=tolerances,
                version=integer(d, "version", default=1),
                calibration=dict(section(d, "calibration", optional=True)),
                source=source,
            )
        except ExerciseError:
            raise
        except (EnvelopeError, ValueError, TypeError, KeyError) as exc:
            # A FieldError of this file, or the error of the section it came from, which names it.
            raise ExerciseError(f"{where}: {exc}") from None


def _weights_of_schema_1(raw: dict[str, Any]) -> tuple[ScoringWeights, BlockCriteria]:
    """A schema 1 file's five weights as schema 2's four stroke weights and block criteria."""
    try:
        known = {k: v for k, v in as_section(raw, "weights").items() if k != "consistency"}
        ScoringWeights.from_dict(known)  # names the first bad field, as for schema 2
        merged = {**_V1_DEFAULT_WEIGHTS, **raw}
        values = {k: as_number(v, f"weights.{k}", minimum=0.0) for k, v in merged.items()}
    except FieldError as exc:
        raise ScoringError(str(exc)) from None
    if all(
        abs(values[k] - v) < 1e-4 * sum(values.values()) for k, v in _V1_DEFAULT_WEIGHTS.items()
    ):
        return ScoringWeights(), BlockCriteria()
    consistency = values.pop("consistency")
    total = consistency + sum(values.values())
    if not total > 0:
        raise ScoringError("the scoring weights must not all be zero")
    share = consistency / total
    if sum(values.values()) <= 0:
        raise ScoringError(
            "field 'weights' gives all its weight to consistency, which no longer counts in a "
            "stroke's score; give force, angle, tempo or smoothness a weight"
        )
    return ScoringWeights(**values), BlockCriteria(consistency_weight=share)


def check_exercise_identity(exercise_id: str, name: str, where: str = "exercise") -> None:
    """The id and name rules ``Exercise.from_dict`` applies, for a form or a command line to
    check before anything is built: ``ExerciseError`` names what is wrong."""
    if not is_valid_exercise_id(exercise_id):
        raise ExerciseError(
            f"{where}: id {shown(exercise_id)} must be lower-case letters, digits, '-', '_' or "
            "'.', starting with a letter or digit (at most 64 characters)"
        )
    if not name.strip():
        raise ExerciseError(f"{where}: the name must not be empty")


def save_exercise(
    exercise: Exercise, path: str | os.PathLike[str], *, overwrite: bool = True
) -> Path:
    """Write an exercise file (whatever its name); written whole under a temporary name, then
    moved into place, so the old file stays whole if anything goes wrong. ``overwrite=False``
    refuses an existing file."""
    text = json.dumps(exercise.to_dict(), indent=1) + "\n"
    try:
        return write_atomic(path, text, overwrite=overwrite)
    except OutputError as exc:
        raise ExerciseError(f"cannot save the exercise: {exc}") from None


#: Far more than any exercise file (a few kB); a bigger file is refused before it is read.
MAX_EXERCISE_BYTES = 16 * 1024 * 1024


def load_exercise_file(path: str | os.PathLike[str]) -> Exercise:
    """Read and check an exercise file; ``ExerciseError`` names the file, line or field.

    UTF-8 with or without a byte-order mark (what Windows editors write); anything else is refused
    with the line and byte of the first character that is not UTF-8."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            if os.fstat(f.fileno()).st_size > MAX_EXERCISE_BYTES:
                raise ExerciseError(
                    f"{p}: too large for an exercise file (over {MAX_EXERCISE_BYTES // 2**20} MB)"
                )
            raw = f.read(MAX_EXERCISE_BYTES + 1)
    except FileNotFoundError:
        raise ExerciseError(f"{p}: no such exercise file") from None
    except IsADirectoryError:
        raise ExerciseError(f"{p}: is a folder, not an exercise file") from None
    except OSError as exc:
        raise ExerciseError(f"{p}: cannot read the exercise file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        at = exc.start + bom
        line = raw.count(b"\n", 0, at) + 1
        raise ExerciseError(
            f"{p}, line {line}: not UTF-8 text (byte {at} is 0x{raw[at]:02x}); save it as UTF-8"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExerciseError(f"{p}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise ExerciseError(f"{p}: not an exercise file (nested too deeply)") from None
    return Exercise.from_dict(data, source=p)


def shipped_exercises() -> list[Exercise]:
    """The exercise library that ships with the program, in a stable order."""
    return [load_exercise_file(f) for f in sorted(library_dir().glob("*.json"))]


def find_exercise(id_or_file: str, extra_dirs: tuple[Path, ...] = ()) -> Exercise:
    """An exercise by shipped or user id, or by the path of an exercise file."""
    candidate = Path(id_or_file)
    if candidate.suffix == ".json" or candidate.exists() or os.sep in id_or_file:
        return load_exercise_file(candidate)
    for folder in (*extra_dirs, library_dir()):
        for f in sorted(Path(folder).glob("*.json")):
            try:
                ex = load_exercise_file(f)
            except ExerciseError:
                continue
            if ex.id == id_or_file:
                return ex
    known = ", ".join(e.id for e in shipped_exercises())
    raise ExerciseError(f"unknown exercise '{id_or_file}' (known: {known})")
