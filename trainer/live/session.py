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

from devices.samples import Counters, DeviceEvent, EventKind, SampleBlock
from devices.source import Source
from trainer.library.exercise import Exercise
from trainer.live.ringbuffer import RingBuffer
from trainer.recordings.writer import RecordingWriter
from trainer.scoring.scorer import Scorer, StrokeScore
from trainer.scoring.stroke_log import StrokeLog
from trainer.scoring.summary import SessionSummary, summarise_log
from trainer.signals.calibration import Calibration
from trainer.signals.errors import ConditioningError
from trainer.signals.tare import TareResult, tare
from trainer.strokes.detection import DetectionSettings
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
    ) -> None:
        """``detection`` overrides the exercise's thresholds (an expert demonstration has no
        exercise yet); ``segment=False`` only records (``iastm-trainer record``)."""
        self.source = source
        self.exercise = exercise
        self.recording_path = Path(recording_path) if recording_path else None
        self.listener = listener
        self.metadata = dict(metadata or {})
        self.calibration = calibration
        self.tare_offset_n = 0.0
        self.records: deque[StrokeRecord] = deque(maxlen=RECORDS_KEPT)
        self.log = StrokeLog()
        self.listener_errors: list[str] = []
        self.writer: RecordingWriter | None = None
        self.display: RingBuffer | None = None
        self._display_seconds = display_seconds
        self._detection = detection or (exercise.detection if exercise else DetectionSettings())
        self._segment = segment
        self._segmenter = self._new_segmenter()
        self._scorer = (
            Scorer(exercise.envelope, exercise.weights, exercise.pass_mark) if exercise else None
        )
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pending_tare: _PendingTare | None = None
        self._t0_s: float | None = None
        self._last_t_s: float | None = None
        self._channels: tuple[str, ...] | None = None
        self.started_wall = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the device (if needed) and the processing thread."""
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
        self._process(self.source.read(0.0))
        self._finish()
        return self.summary()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._process(self.source.read(0.02))
                if not self.source.running and not self._stop.is_set():
                    self.source.raise_if_failed()
                    time.sleep(0.02)
        except Exception as exc:  # never let the thread die unseen
            self._notify("on_error", f"processing stopped: {exc}")
            raise

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

    def _on_block(self, block: SampleBlock) -> list[Stroke]:
        if not len(block):
            return []
        block = self._condition(block)
        if self._t0_s is None:
            self._t0_s = float(block.t_s[0])
            self._open_outputs(block.channels)
        self._last_t_s = float(block.t_s[-1])
        rel = SampleBlock(block.t_s - self._t0_s, block.values, block.channels)
        if self.writer is not None:
            self.writer.write(rel)
        if self.display is not None and rel.channels == self._channels:
            self.display.append(rel.t_s, rel.values)
        if self._pending_tare is not None:
            self._collect_tare(rel)
        return self._segmenter.feed(rel) if self._segment else []

    def _condition(self, block: SampleBlock) -> SampleBlock:
        if self.calibration is None and self.tare_offset_n == 0.0:
            return block
        if self.calibration is not None and self.calibration.channel in block.channels:
            block = self.calibration.apply_to_block(block)
        values = block.values.copy()
        if self.tare_offset_n and "force_n" in block.channels:
            values[:, block.channels.index("force_n")] -= self.tare_offset_n
        return SampleBlock(block.t_s, values, block.channels)

    def _open_outputs(self, channels: tuple[str, ...]) -> None:
        self._channels = channels
        rate = self.source.info.rate_hz if self.source.info else None
        cap = int(self._display_seconds * min(rate or MAX_DISPLAY_RATE_HZ, MAX_DISPLAY_RATE_HZ))
        self.display = RingBuffer(max(cap, 100), len(channels))
        if self.recording_path is not None:
            # Everything the session hands the writer (blocks and event times) is already on the
            # session's axis, device time minus ``t0_s``: the writer must not shift it again.
            self.writer = RecordingWriter(self.recording_path, channels, self._metadata(), t0_s=0.0)

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
                self.writer.log_event(
                    "calibration",
                    self._session_t_s(),
                    calibration=calibration.to_dict() if calibration else None,
                    tare_cleared_n=round(cleared, 6),
                )

    def log_event(self, kind: str, **fields: Any) -> None:
        """Add a line to the recording's event log (say, what feedback a stroke got), from any
        thread; placed at the newest sample's time."""
        with self._lock:
            if self.writer is not None:
                self.writer.log_event(kind, self._session_t_s(), **fields)

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
            if self.writer is not None:
                summary = {"counters": self.source.counters.as_dict()}
                s = self.summary()
                if s is not None:
                    summary["score_summary"] = s.as_json()
                self.writer.close(summary)

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
