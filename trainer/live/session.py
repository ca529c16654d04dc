"""A live session: one device wired to the recorder, the segmenter and the scorer.

Everything the application shows comes through here, and the CLI's ``record`` and the tests use
the very same object, so there is one data path. The session runs its own processing thread that
drains the device source; it reports through a plain listener object (no Qt), and it keeps a
bounded ring buffer of the newest samples that a display may read at its own pace. The recording
file gets every sample whatever the listener or the display do.

Order of work per block: calibration and tare are applied, the block is written to the recording,
appended to the display buffer, and fed to the segmenter; each finished stroke is scored.

Never imports Qt. Listener callbacks run on the session thread: a GUI must hop threads itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from devices.samples import Counters, DeviceError, DeviceEvent, EventKind, SampleBlock
from devices.source import Source
from trainer.files.lock import OutputLock
from trainer.library.exercise import Exercise
from trainer.live.blocks import BlockTracker
from trainer.live.ringbuffer import RingBuffer
from trainer.recordings.format import REQUIRED_COLUMNS, RecordingError
from trainer.recordings.writer import RecordingWriter, claim_recording
from trainer.scoring.scorer import StrokeScore
from trainer.scoring.stroke_log import StrokeLog
from trainer.scoring.summary import SessionSummary, summarise_log
from trainer.signals.calibration import Calibration
from trainer.signals.errors import ConditioningError
from trainer.signals.plate import PlateProfile
from trainer.signals.tare import TareResult, tare
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.left_out import contacts_not_scored, left_out_counts, said_live
from trainer.strokes.segmentation import StrokeSegmenter
from trainer.strokes.stroke import Stroke

DISPLAY_SECONDS = 30.0
#: Strokes whose raw samples the session keeps in memory (the rest are only in the recording).
RAW_STROKES_KEPT = 200
#: Strokes the session keeps whole, score and curves included; every stroke's summary figures go
#: to ``TrainingSession.log``, so a session of any length summarises all of its strokes.
RECORDS_KEPT = 1000
MAX_DISPLAY_RATE_HZ = 2000.0


class SessionListener(Protocol):
    """What a session tells the outside world. Every method is optional to implement."""

    def on_event(self, event: DeviceEvent) -> None: ...
    def on_stroke(self, stroke: Stroke, score: StrokeScore | None) -> None: ...
    def on_tare(self, result: TareResult | None, error: str | None) -> None: ...
    def on_error(self, message: str) -> None: ...
    def on_note(self, message: str) -> None: ...


@dataclass
class StrokeRecord:
    """A stroke and its score as the session keeps them (score is None with no exercise).

    The session keeps the newest ``RECORDS_KEPT`` records, and only the newest ``RAW_STROKES_KEPT``
    of them keep their raw samples (``stroke``), so a day-long session does not grow without
    bound. The samples are all in the recording file, every stroke's figures in the session's
    ``log``."""

    stroke: Stroke | None
    score: StrokeScore | None
    start_s: float = 0.0
    end_s: float = 0.0


@dataclass
class SessionState:
    """A snapshot a display can read without locks of its own."""

    connected: bool
    counters: Counters
    baseline_n: float
    in_stroke: bool
    stroke_start_s: float | None
    threshold_n: float
    last_t_s: float | None
    tare_offset_n: float
    taring: bool
    #: Why the session stopped by itself (a write error, a device that changed its channels):
    #: one line naming the file or port and what was kept; None while it runs or after Stop.
    stopped_reason: str | None = None


@dataclass
class _PendingTare:
    seconds: float
    t: list[np.ndarray] = field(default_factory=list)
    f: list[np.ndarray] = field(default_factory=list)
    collected_s: float = 0.0


class TrainingSession:
    """Connects a started or unstarted source to recording, segmentation and scoring."""

    def __init__(
        self,
        source: Source,
        exercise: Exercise | None = None,
        recording_path: str | Path | None = None,
        listener: Any | None = None,
        metadata: dict[str, Any] | None = None,
        calibration: Calibration | None = None,
        display_seconds: float = DISPLAY_SECONDS,
        detection: DetectionSettings | None = None,
        segment: bool = True,
        overwrite: bool = False,
        standby: bool = False,
        plate: PlateProfile | None = None,
    ) -> None:
        """``detection`` overrides the exercise's thresholds (an expert demonstration has no
        exercise yet); ``segment=False`` only records (``iastm-trainer record``); ``overwrite``
        lets the recording replace an existing file (never done silently otherwise).

        ``standby``: the tool is connected and shown, and can be tared, but nothing is recorded,
        cut into strokes or scored until ``begin``. A trainee connects, tares with the tool still,
        and starts when ready, instead of a session that scores strokes before anyone asked.

        ``plate``: the device is a home-made force plate sending its load cells' raw readings;
        the profile turns them into ``force_n``, ``cop_x_mm`` and ``cop_y_mm`` before anything
        else sees them, and is kept in the recording's header with its calibration."""
        self.source = source
        self.exercise = exercise
        self.recording_path = Path(recording_path) if recording_path else None
        self.listener = listener
        self.metadata = dict(metadata or {})
        self.calibration = calibration
        self.plate = plate
        self.tare_offset_n = 0.0
        self.records: deque[StrokeRecord] = deque(maxlen=RECORDS_KEPT)
        self.log = StrokeLog()
        self.listener_errors: list[str] = []
        #: Blocks of practice (``trainer.live.blocks``): a new schedule starts a new block, and
        #: each block's start and end are marked in the recording's events.
        self.blocks = BlockTracker(exercise, str(self.metadata.get("feedback_schedule", "unset")))
        self.writer: RecordingWriter | None = None
        self.display: RingBuffer | None = None
        self._display_seconds = display_seconds
        self._detection = detection or (exercise.detection if exercise else DetectionSettings())
        self._segment = segment
        self._segmenter = self._new_segmenter()
        #: Contacts not taken for strokes, over the whole session (``trainer.strokes.left_out``),
        #: and the counts of the segmenter in use already told.
        self.left_out: dict[str, int] = left_out_counts({})
        self._left_told: tuple[StrokeSegmenter, dict[str, int]] = (
            self._segmenter,
            dict(self.left_out),
        )
        self._scorer = exercise.scorer() if exercise else None
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pending_tare: _PendingTare | None = None
        self._t0_s: float | None = None
        self._last_t_s: float | None = None
        self._channels: tuple[str, ...] | None = None
        self._overwrite = overwrite
        self._standby = standby
        self._claim: OutputLock | None = None
        self._left_out: set[str] = set()
        self._stopped_reason: str | None = None
        #: What the session noticed but recorded around (a channel the recording has no column
        #: for), one line each; also told to the listener's ``on_note``.
        self.notes: list[str] = []
        #: An unforeseen error that stopped the processing thread (a fault of the program).
        self.failure: BaseException | None = None
        self.started_wall = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Check and lock the recording's path, then start the device (if needed) and the
        processing thread. ``RecordingError`` (before the device starts) says what is wrong with
        the path: a folder, an existing file, no room for a minute, another program writing it."""
        if (
            not self._standby
            and self.recording_path is not None
            and self._claim is None
            and self.writer is None
        ):
            self._claim = claim_recording(self.recording_path, overwrite=self._overwrite)
        if not self.source.running:
            self.source.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="session", daemon=True)
        self._thread.start()

    def stop(self) -> SessionSummary | None:
        """Stop reading, drain what the device already sent, close the recording."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        self.source.stop()
        if self._stopped_reason is None:
            try:
                self._process(self.source.read(0.0))
            except RecordingError as exc:
                self._fail(str(exc))
        self._finish()
        return self.summary()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def standby(self) -> bool:
        """Connected and shown, nothing recorded or scored yet (see ``begin``)."""
        return self._standby

    def begin(
        self,
        recording_path: str | Path | None = None,
        exercise: Exercise | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """End the standby: from the next sample on, record into ``recording_path``, cut strokes
        and score them against ``exercise`` (the one given at construction if None).

        The recording's time axis starts at that sample. The tare and calibration made during the
        standby carry over; a tare still being collected is abandoned (its samples are on the
        standby's axis), and says so. The device is sent ``START``: a real tool carries on
        streaming, and the simulated person, who waits for the session, begins to stroke.
        ``RecordingError`` (a bad path) leaves the session in standby.
        """
        with self._lock:
            if not self._standby:
                return
            path = Path(recording_path) if recording_path else self.recording_path
            if path is not None:
                self._claim = claim_recording(path, overwrite=self._overwrite)
            self.recording_path = path
            if exercise is not None:
                self.exercise = exercise
                self._detection = exercise.detection
                self._scorer = exercise.scorer()
            self.metadata.update(metadata or {})
            schedule = str(self.metadata.get("feedback_schedule", "unset"))
            self.blocks = BlockTracker(self.exercise, schedule)
            self._segmenter = self._new_segmenter()
            self.started_wall = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            abandoned = self._pending_tare is not None
            self._pending_tare = None
            # The next sample opens the recording and starts the session's own time axis.
            self.display = None
            self._t0_s = None
            self._last_t_s = None
            self._channels = None
            self._standby = False
        if abandoned:
            self._notify("on_tare", None, "the session started before the tare had 2 s of still")
        self.source.send_command("START")

    @property
    def stopped_reason(self) -> str | None:
        """Why the session stopped by itself (see ``SessionState.stopped_reason``)."""
        return self._stopped_reason

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._process(self.source.read(0.02))
                if not self.source.running and not self._stop.is_set():
                    self.source.raise_if_failed()
                    time.sleep(0.02)
        except (RecordingError, DeviceError) as exc:  # a full disk, channels that changed
            self._fail(str(exc))
        except Exception as exc:  # never let the thread die unseen, nor print a traceback
            self.failure = exc
            self._fail(f"processing stopped: {type(exc).__name__}: {exc}")
        if self._stopped_reason is not None:
            # Close the recording now: what was written stays, whoever calls stop() and when.
            self.source.stop()
            self._finish()

    def _fail(self, message: str) -> None:
        """Stop on a fault that ends the recording: one line to the listener, kept in the state."""
        if self._stopped_reason is not None:
            return
        self._stopped_reason = message
        self._stop.set()
        self._notify("on_error", message)

    # -- the data path ---------------------------------------------------------------------------
    def process_items(self, items: list[SampleBlock | DeviceEvent]) -> None:
        """Feed items by hand (replay, tests); the same path the thread uses."""
        self._process(items)

    def _process(self, items: list[SampleBlock | DeviceEvent]) -> None:
        for item in items:
            with self._lock:
                if isinstance(item, SampleBlock):
                    strokes = self._on_block(item)
                else:
                    strokes = self._on_event(item)
            for stroke in strokes:
                self._on_stroke(stroke)
            self._tell_left_out()

    def _tell_left_out(self) -> None:
        """A contact the segmenter has just left out is told to the listener at once ("Not
        scored: ..."), so that a stroke never vanishes from the screen without a word."""
        seg = self._segmenter
        told_seg, told = self._left_told
        if told_seg is not seg:
            told = left_out_counts({})
        now = left_out_counts(seg.counters)
        if now == told:
            return
        new = {k: now[k] - told[k] for k in now}
        self._left_told = (seg, now)
        for k, n in new.items():
            self.left_out[k] += n
        for sentence in said_live(new, self._detection):
            self._notify("on_note", sentence)

    def _on_block(self, block: SampleBlock) -> list[Stroke]:
        if not len(block):
            return []
        block = self._condition(block)
        if self._standby:
            return self._on_standby_block(block)
        if self._t0_s is None:
            self._open_outputs(block.channels)
            self._t0_s = float(block.t_s[0])
        elif block.channels != self._channels:
            self._check_channels(block.channels)
        self._last_t_s = float(block.t_s[-1])
        rel = SampleBlock(block.t_s - self._t0_s, block.values, block.channels)
        if self.writer is not None:
            self.writer.write(rel)
        if self.display is not None and rel.channels == self._channels:
            self.display.append(rel.t_s, rel.values)
        if self._pending_tare is not None:
            self._collect_tare(rel)
        return self._segmenter.feed(rel) if self._segment else []

    def _on_standby_block(self, block: SampleBlock) -> list[Stroke]:
        """Standby: the display and a tare get the samples; nothing is written or scored."""
        if self._t0_s is None or block.channels != self._channels:
            self._channels = block.channels
            self._open_display(block.channels)
            if self._t0_s is None:
                self._t0_s = float(block.t_s[0])
        self._last_t_s = float(block.t_s[-1])
        rel = SampleBlock(block.t_s - self._t0_s, block.values, block.channels)
        if self.display is not None:
            self.display.append(rel.t_s, rel.values)
        if self._pending_tare is not None:
            self._collect_tare(rel)
        return []

    def _open_display(self, channels: tuple[str, ...]) -> None:
        rate = self.source.info.rate_hz if self.source.info else None
        cap = int(self._display_seconds * min(rate or MAX_DISPLAY_RATE_HZ, MAX_DISPLAY_RATE_HZ))
        self.display = RingBuffer(max(cap, 100), len(channels))

    def _condition(self, block: SampleBlock) -> SampleBlock:
        if self.plate is not None and self.plate.columns[0] in block.channels:
            try:
                block = self.plate.convert_block(block)
            except ConditioningError as exc:
                raise DeviceError(f"{self.source.name}: {exc}") from None
        if self.calibration is None and self.tare_offset_n == 0.0:
            return block
        if self.calibration is not None and self.calibration.channel in block.channels:
            block = self.calibration.apply_to_block(block)
        values = block.values.copy()
        if self.tare_offset_n and "force_n" in block.channels:
            values[:, block.channels.index("force_n")] -= self.tare_offset_n
        return SampleBlock(block.t_s, values, block.channels)

    def _check_channels(self, channels: tuple[str, ...]) -> None:
        """A device that changes its channels mid-recording: the recording's columns are fixed at
        its start, so a lost column stops it with one line, and an added one is reported."""
        old = self._channels or ()
        t = self._session_t_s() or 0.0
        if not set(old) <= set(channels):
            where = f"; kept up to {t:.1f} s in {self.recording_path}" if self.writer else ""
            raise RecordingError(
                f"{self.source.name}: the device changed its channels to {', '.join(channels)} "
                f"mid-recording; this recording holds {', '.join(old)}. Recording stopped{where}"
            )
        added = tuple(c for c in channels if c not in old and c not in self._left_out)
        if added:
            self._left_out.update(added)
            note = (
                f"{self.source.name}: the device added {', '.join(added)} at {t:.1f} s; the "
                f"recording's columns were fixed at its start, so {', '.join(added)} is not in it"
            )
            self.notes.append(note)
            if self.writer is not None:
                self.writer.log_event("channels", t, text=note, left_out=list(added))
            self._notify("on_note", note)

    def _open_outputs(self, channels: tuple[str, ...]) -> None:
        missing = [c for c in REQUIRED_COLUMNS if c not in channels]
        if missing:
            raise RecordingError(
                f"{self.source.name}: the device sends {', '.join(channels)}; a recording needs "
                f"{' and '.join(REQUIRED_COLUMNS)} (no {', '.join(missing)})"
            )
        self._channels = channels
        self._open_display(channels)
        if self.recording_path is not None:
            # Everything the session hands the writer (blocks and event times) is already on the
            # session's axis, device time minus ``t0_s``: the writer must not shift it again.
            claim, self._claim = self._claim, None
            self.writer = RecordingWriter(
                self.recording_path,
                channels,
                self._metadata(),
                t0_s=0.0,
                overwrite=self._overwrite,
                lock=claim,
            )
            self._write_block_event(0.0, self.blocks.begin(0.0))

    def _metadata(self) -> dict[str, Any]:
        info = self.source.info
        meta: dict[str, Any] = {}
        if info is not None:
            meta["device"] = info.describe()
            if info.rate_hz:
                meta["rate_hz"] = f"{info.rate_hz:g}"
            if info.serial:
                meta["device_serial"] = info.serial
        meta["source"] = self.source.name
        meta["started"] = self.started_wall
        if self.exercise is not None:
            meta["exercise"] = f"{self.exercise.id} v{self.exercise.version}"
        if self.calibration is not None:
            meta["calibration"] = self.calibration.to_dict()
        if self.plate is not None:
            meta["plate"] = self.plate.to_dict()
        if self.tare_offset_n:
            meta["tare_offset_n"] = f"{self.tare_offset_n:.4f}"
        meta.update(self.metadata)
        return meta

    def _on_event(self, event: DeviceEvent) -> list[Stroke]:
        strokes: list[Stroke] = []
        rel_t = None if event.t_s is None or self._t0_s is None else event.t_s - self._t0_s
        if (
            event.kind
            in (EventKind.GAP, EventKind.RESET, EventKind.OVERFLOW, EventKind.DISCONNECTED)
            and rel_t is not None
            and not self._standby
        ):
            strokes = self._segmenter.mark_gap(rel_t) or []
        if self.writer is not None:
            fields: dict[str, Any] = {}
            if event.text:
                fields["text"] = event.text
            if event.count:
                fields["count"] = event.count
            if event.duration_s:
                fields["duration_s"] = round(event.duration_s, 6)
            if event.info is not None:
                fields["info"] = event.info.raw or {"device": event.info.device}
            self.writer.log_event(event.kind.value, rel_t, **fields)
        self._notify("on_event", event)
        return strokes

    def _on_stroke(self, stroke: Stroke) -> None:
        score = self._scorer.score(stroke) if self._scorer is not None else None
        with self._lock:
            self.records.append(StrokeRecord(stroke, score, stroke.start_s, stroke.end_s))
            if score is not None:
                self.log.append(score)
            self.blocks.add(score)
            if len(self.records) > RAW_STROKES_KEPT:
                self.records[-RAW_STROKES_KEPT - 1].stroke = None
        self._notify("on_stroke", stroke, score)

    # -- tare and calibration --------------------------------------------------------------------
    def request_tare(self, seconds: float = 2.0) -> None:
        """Zero the force over the next ``seconds`` of still, unloaded tool."""
        with self._lock:
            self._pending_tare = _PendingTare(seconds)

    def _collect_tare(self, block: SampleBlock) -> None:
        pending = self._pending_tare
        assert pending is not None
        if "force_n" not in block.channels:
            return
        pending.t.append(block.t_s)
        # The block is already tared by the old offset: add it back so offsets do not stack.
        pending.f.append(block.channel("force_n") + self.tare_offset_n)
        pending.collected_s = float(pending.t[-1][-1] - pending.t[0][0])
        if pending.collected_s < pending.seconds:
            return
        self._pending_tare = None
        t = np.concatenate(pending.t)
        f = np.concatenate(pending.f)
        try:
            result = tare(f, t, min_duration_s=pending.seconds)
        except ConditioningError as exc:
            self._notify("on_tare", None, str(exc))
            return
        self.tare_offset_n = float(result.offset_n)
        if self.writer is not None:
            self.writer.log_event("tare", float(t[-1]), **result.to_dict())
        # The segmenter's idle baseline follows the step down on its own: no restart needed.
        self._notify("on_tare", result, None)

    def set_calibration(self, calibration: Calibration | None) -> None:
        """Use a new calibration from now on. A tare taken before it was in other units, so it is
        cleared: tare again with the tool still."""
        with self._lock:
            self.calibration = calibration
            cleared = self.tare_offset_n
            self.tare_offset_n = 0.0
            if self.writer is not None:
                try:
                    self.writer.log_event(
                        "calibration",
                        self._session_t_s(),
                        calibration=calibration.to_dict() if calibration else None,
                        tare_cleared_n=round(cleared, 6),
                    )
                except RecordingError as exc:
                    self._fail(str(exc))

    def log_event(self, kind: str, **fields: Any) -> None:
        """Add a line to the recording's event log (say, what feedback a stroke got), from any
        thread; placed at the newest sample's time."""
        with self._lock:
            if self.writer is not None:
                try:
                    self.writer.log_event(kind, self._session_t_s(), **fields)
                except RecordingError as exc:
                    self._fail(str(exc))

    def start_block(self, schedule: str) -> None:
        """A new block of practice under ``schedule`` (the trainee changed the feedback schedule):
        the current block ends here, and both marks go to the recording's events."""
        with self._lock:
            if self.writer is None and not self.blocks.current.strokes:
                self.blocks.current.schedule = schedule  # nothing recorded yet: still block 1
                return
            t = self._session_t_s()
            for event in self.blocks.next_block(schedule, t):
                self._write_block_event(t, event)

    def _write_block_event(self, t_s: float | None, event: tuple[str, dict[str, Any]]) -> None:
        if self.writer is None:
            return
        kind, fields = event
        try:
            self.writer.log_event(kind, t_s, **fields)
        except RecordingError as exc:
            self._fail(str(exc))

    def _session_t_s(self) -> float | None:
        """The newest sample's time on the session's (and the recording's) axis."""
        if self._last_t_s is None or self._t0_s is None:
            return None
        return self._last_t_s - self._t0_s

    def _new_segmenter(self) -> StrokeSegmenter:
        rate = self.source.info.rate_hz if self.source.info else None
        segmenter = StrokeSegmenter(self._detection, rate_hz=rate)
        if self.exercise is not None:
            # Lets the live trace start where the finished stroke will (see the segmenter).
            segmenter.expected_peak_n = float(self.exercise.envelope.peak_force_mean_n)
        return segmenter

    # -- what a display reads --------------------------------------------------------------------
    @property
    def t0_s(self) -> float | None:
        """The device time of the session's first sample: device events minus this are on the
        session's (and the recording's) time axis."""
        return self._t0_s

    def state(self) -> SessionState:
        # No lock: a display frame must never wait for the recording's once-a-second fsync. Each
        # field is read atomically; a frame that mixes two blocks' values is redrawn a frame later.
        seg = self._segmenter
        start = seg.current_stroke_start_s
        return SessionState(
            connected=self.source.connected,
            counters=Counters(**self.source.counters.as_dict()),
            baseline_n=float(seg.baseline_n),
            in_stroke=bool(seg.in_stroke),
            stroke_start_s=None if start is None else float(start),
            threshold_n=float(seg.threshold_n),
            last_t_s=None
            if self._last_t_s is None or self._t0_s is None
            else self._last_t_s - self._t0_s,
            tare_offset_n=self.tare_offset_n,
            taring=self._pending_tare is not None,
            stopped_reason=self._stopped_reason,
        )

    @property
    def channels(self) -> tuple[str, ...] | None:
        return self._channels

    def scores(self) -> list[StrokeScore]:
        """The scores of the strokes kept whole (the newest ``RECORDS_KEPT``)."""
        with self._lock:
            return [r.score for r in self.records if r.score is not None]

    def summary(self) -> SessionSummary | None:
        """The summary of every stroke of the session, however long it ran."""
        if self.exercise is None:
            return None
        with self._lock:
            ex = self.exercise
            return summarise_log(self.log, ex.pass_mark, ex.envelope, ex.block)

    # -- ending ----------------------------------------------------------------------------------
    def _finish(self) -> None:
        with self._lock:
            for stroke in self._segmenter.flush():
                self._on_stroke(stroke)
            self._tell_left_out()
            left_out = contacts_not_scored(self.left_out, self._detection)
            self.notes += [n for n in left_out if n not in self.notes]
            if self.writer is not None:
                end_t = self._session_t_s()
                self._write_block_event(end_t, self.blocks.end(end_t))
                summary = {
                    "counters": self.source.counters.as_dict(),
                    "left_out": dict(self.left_out),  # contacts not taken for strokes, by reason
                }
                s = self.summary()
                if s is not None:
                    summary["score_summary"] = s.as_json()
                self.writer.close(summary)
            if self._claim is not None:  # no sample ever came: nothing written, let go
                self._claim.release()
                self._claim = None

    def _notify(self, method: str, *args: Any) -> None:
        """Tell the listener; a listener that raises must not stop recording or lose the file's
        closing summary, so its error is kept in ``listener_errors`` and the session goes on."""
        fn = getattr(self.listener, method, None)
        if fn is None:
            return
        try:
            fn(*args)
        except Exception as exc:
            self.listener_errors.append(f"{method}: {type(exc).__name__}: {exc}")
