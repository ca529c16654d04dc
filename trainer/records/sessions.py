"""Sessions: one practice, retention or assessment sitting, its strokes and its raw recording.

A session's key is a UUID made by the station that recorded it, so sessions from many stations
meet on one server without colliding, and storing the same session twice (an outbox sent again
after a lost reply) stores it once. The raw recording (CSV and its events sidecar) is kept
zlib-compressed beside the figures, so a session can be scored again against a later envelope or
replayed for rating years later.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from trainer.records import audit
from trainer.records.database import as_utc, insert_ignore, utcnow
from trainer.records.errors import RecordsError
from trainer.records.exercises import exercise_version_pk
from trainer.records.people import course, student
from trainer.records.schema import (
    assessments,
    enrolments,
    exercise_versions,
    recordings,
    sessions,
    strokes,
    students,
)

MODES = ("practice", "retention", "assessment")
#: zlib level for the raw recording: level 1 is 3-4x smaller than the CSV at about 100 MB/s, so
#: a ten-minute recording is stored well inside the half second a session may take.
COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class StrokeRow:
    """One scored stroke as the records keep it."""

    idx: int
    block: int
    start_s: float
    end_s: float
    peak_force_n: float
    mean_angle_deg: float | None
    force_in_band_pct: float | None
    angle_in_band_pct: float | None
    force_error_pct: float | None
    angle_error_deg: float | None
    score: float
    passed: bool


@dataclass
class NewSession:
    """Everything a station knows about a finished session, ready to store or to queue.

    ``exercise`` is the exercise file's whole definition (its dict), so the server can store the
    exact version even if it has never seen it. ``recording`` is the raw file's bytes,
    uncompressed; ``events`` the sidecar's."""

    student_id: str
    exercise: dict[str, Any]
    mode: str
    started_at: datetime
    ended_at: datetime
    strokes: list[StrokeRow]
    summary: dict[str, Any]
    blocks: list[dict[str, Any]] = field(default_factory=list)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    course_id: str | None = None
    assessment_id: str | None = None
    device: str | None = None
    firmware: str | None = None
    serial: str | None = None
    calibration: str | None = None
    software_version: str | None = None
    station: str | None = None
    recording_name: str | None = None
    recording: bytes | None = None
    events: bytes | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise RecordsError(f"--mode {self.mode}: use one of {', '.join(MODES)}")
        try:
            uuid.UUID(self.id)
        except ValueError:
            raise RecordsError(f"session id {self.id!r}: not a UUID") from None
        # Stored in UTC on both backends: SQLite keeps no offset, so a local time would shift.
        self.started_at = _utc(self.started_at)
        self.ended_at = _utc(self.ended_at)
        self._packed: bytes | None = None

    def packed_recording(self) -> bytes | None:
        """The recording and sidecar compressed, once. Callers ask for it before their write
        transaction opens, so a SQLite writer never holds the lock while zlib runs (0.15-0.3 s
        for ten minutes at 1 kHz) and other stations' writes do not queue behind it."""
        if self._packed is None and self.recording is not None:
            self._packed = _pack_recording(self.recording, self.events)
        return self._packed

    # -- figures of the whole session ---------------------------------------------------------
    @property
    def mean_score(self) -> float | None:
        return _mean([s.score for s in self.strokes])

    @property
    def passed(self) -> bool:
        return bool(self.summary.get("passed", False))

    # -- the outbox's form: plain JSON, bytes as base64 ---------------------------------------
    def to_payload(self) -> dict[str, Any]:
        d = asdict(self)
        d["started_at"] = self.started_at.isoformat()
        d["ended_at"] = self.ended_at.isoformat()
        for key in ("recording", "events"):
            raw = d[key]
            d[key] = None if raw is None else base64.b64encode(zlib.compress(raw, 6)).decode()
        return d

    @classmethod
    def from_payload(cls, d: dict[str, Any]) -> NewSession:
        d = dict(d)
        d["started_at"] = datetime.fromisoformat(d["started_at"])
        d["ended_at"] = datetime.fromisoformat(d["ended_at"])
        d["strokes"] = [StrokeRow(**s) for s in d["strokes"]]
        for key in ("recording", "events"):
            if d.get(key) is not None:
                d[key] = zlib.decompress(base64.b64decode(d[key]))
        return cls(**d)


def store_session(conn: Connection, new: NewSession) -> bool:
    """Store a session with its strokes; False (and nothing changed) if a session with its id is
    already held, as when an outbox sends it a second time. ``RecordsError`` names an unknown
    student, course or assessment, and the transaction is rolled back."""
    if conn.execute(select(sessions.c.id).where(sessions.c.id == new.id)).first() is not None:
        return False
    who = student(conn, new.student_id)
    if new.course_id is not None:
        course(conn, new.course_id)
    if new.assessment_id is not None:
        a = (
            conn.execute(select(assessments).where(assessments.c.id == new.assessment_id))
            .mappings()
            .first()
        )
        if a is None:
            raise RecordsError(f"unknown assessment '{new.assessment_id}'")
        if a["exercise_id"] != new.exercise.get("id"):
            raise RecordsError(
                f"assessment '{new.assessment_id}' is of exercise '{a['exercise_id']}', "
                f"not '{new.exercise.get('id')}'"
            )
        if new.course_id is None:
            new.course_id = a["course_id"]
    elif new.course_id is None:
        # A student in one course: the session counts for it.
        enrolled = list(
            conn.execute(
                select(enrolments.c.course_id).where(enrolments.c.student_pk == who["pk"])
            ).scalars()
        )
        if len(enrolled) == 1:
            new.course_id = enrolled[0]
    ev_pk = exercise_version_pk(conn, new.exercise)
    summary = new.summary
    blob = new.packed_recording()
    inserted = insert_ignore(
        conn,
        sessions,
        {
            "id": new.id,
            "student_pk": who["pk"],
            "exercise_version_pk": ev_pk,
            "course_id": new.course_id,
            "assessment_id": new.assessment_id,
            "mode": new.mode,
            "device": new.device,
            "firmware": new.firmware,
            "serial": new.serial,
            "calibration": new.calibration,
            "software_version": new.software_version,
            "station": new.station,
            "blocks": json.dumps(block_figures(new.blocks, new.strokes), allow_nan=False),
            "started_at": new.started_at,
            "ended_at": new.ended_at,
            "recording_name": new.recording_name,
            "stroke_count": len(new.strokes),
            "mean_score": new.mean_score,
            "passed": new.passed,
            "pass_rate_pct": summary.get("pass_rate_pct"),
            "consistency": summary.get("consistency"),
            "peak_force_cv_pct": summary.get("peak_force_cv_pct"),
            "force_error_pct": _mean([s.force_error_pct for s in new.strokes]),
            "angle_error_deg": _mean([s.angle_error_deg for s in new.strokes]),
            "summary": json.dumps(summary, allow_nan=False),
            "created_at": utcnow(),
        },
        ["id"],
    )
    if not inserted:  # another station's copy landed between the check and the insert
        return False
    if blob is not None:
        conn.execute(recordings.insert().values(session_id=new.id, data=blob))
    if new.strokes:
        conn.execute(
            strokes.insert(),
            [{"session_id": new.id, **_finite(asdict(s))} for s in new.strokes],
        )
    audit.append(conn, "session stored", f"session:{new.id}")
    return True


def block_figures(blocks: list[dict[str, Any]], rows: list[StrokeRow]) -> list[dict[str, Any]]:
    """The declared blocks with each one's own figures (strokes, mean score, force and angle
    error), worked out once when the session is stored so that progress views read them
    without touching the strokes."""
    declared = {int(b.get("block", i + 1)): dict(b) for i, b in enumerate(blocks)}
    numbers = sorted(set(declared) | {s.block for s in rows})
    out = []
    for number in numbers:
        mine = [s for s in rows if s.block == number]
        out.append(
            {
                **declared.get(number, {"block": number}),
                "strokes": len(mine),
                "mean_score": _mean([s.score for s in mine]),
                "force_error_pct": _mean([s.force_error_pct for s in mine]),
                "angle_error_deg": _mean([s.angle_error_deg for s in mine]),
            }
        )
    return out


def _pack_recording(recording: bytes | None, events: bytes | None) -> bytes | None:
    """The recording and its sidecar as one zlib stream: an 8-byte length, the CSV, the events."""
    if recording is None:
        return None
    events = events or b""
    body = len(recording).to_bytes(8, "big") + recording + events
    return zlib.compress(body, COMPRESS_LEVEL)


def unpack_recording(blob: bytes | None) -> tuple[bytes, bytes] | None:
    """The stored recording's CSV bytes and its events sidecar's bytes (None if not kept)."""
    if blob is None:
        return None
    body = zlib.decompress(blob)
    n = int.from_bytes(body[:8], "big")
    return body[8 : 8 + n], body[8 + n :]


def recording_of(conn: Connection, session_id: str) -> tuple[bytes, bytes] | None:
    """A session's raw recording (for replay and rating), as ``(csv, events)``."""
    if conn.execute(select(sessions.c.id).where(sessions.c.id == session_id)).first() is None:
        raise RecordsError(f"unknown session '{session_id}'")
    blob = conn.execute(
        select(recordings.c.data).where(recordings.c.session_id == session_id)
    ).scalar()
    return unpack_recording(blob)


def exercise_of(conn: Connection, session_id: str) -> dict[str, Any]:
    """The exact exercise definition a session was scored against, to score its recording again
    (replaying it for rating) against the same envelope, whatever the exercise file says today."""
    definition = conn.execute(
        select(exercise_versions.c.definition)
        .join(sessions, sessions.c.exercise_version_pk == exercise_versions.c.pk)
        .where(sessions.c.id == session_id)
    ).scalar()
    if definition is None:
        raise RecordsError(f"unknown session '{session_id}'")
    return dict(json.loads(definition))


def list_sessions(
    conn: Connection, *, student_id: str | None = None, course_id: str | None = None
) -> list[dict[str, Any]]:
    """``[{"session", "student_id", "exercise", "mode", "started", "strokes", "mean_score",
    "passed"}]`` oldest first; a deleted student's sessions show ``student_id`` None."""
    q = (
        select(
            sessions.c.id,
            students.c.student_id,
            exercise_versions.c.exercise_id,
            exercise_versions.c.content_hash,
            sessions.c.mode,
            sessions.c.started_at,
            sessions.c.stroke_count,
            sessions.c.mean_score,
            sessions.c.passed,
            sessions.c.assessment_id,
            sessions.c.course_id,
        )
        .join(students, students.c.pk == sessions.c.student_pk)
        .join(exercise_versions, exercise_versions.c.pk == sessions.c.exercise_version_pk)
    )
    conditions = []
    if student_id is not None:
        conditions.append(sessions.c.student_pk == student(conn, student_id)["pk"])
    if course_id is not None:
        course(conn, course_id)
        conditions.append(sessions.c.course_id == course_id)
    if conditions:
        q = q.where(and_(*conditions))
    out = []
    for r in conn.execute(q.order_by(sessions.c.started_at, sessions.c.id)):
        out.append(
            {
                "session": r.id,
                "student_id": r.student_id,
                "exercise": r.exercise_id,
                "exercise_hash": r.content_hash,
                "mode": r.mode,
                "started": as_utc(r.started_at).isoformat(),
                "strokes": r.stroke_count,
                "mean_score": _round(r.mean_score),
                "passed": bool(r.passed),
                "course": r.course_id,
                "assessment": r.assessment_id,
            }
        )
    return out


def session_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(sessions)).scalar_one())


def _utc(t: datetime) -> datetime:
    """An aware time in UTC; a naive one is taken to be UTC already."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _mean(values: list[float | None]) -> float | None:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return sum(finite) / len(finite) if finite else None


def _round(x: float | None, decimals: int = 1) -> float | None:
    return None if x is None else round(float(x), decimals)


def _finite(d: dict[str, Any]) -> dict[str, Any]:
    """NaN (no angle channel) is stored as NULL: PostgreSQL and SQLite agree on NULL."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}
