"""Reviewing a recording stroke by stroke: any session, a recovered one, or an expert's.

The recording is read and scored off the GUI thread by ``trainer.offline.analysis.score_recording``,
the same segmenter and scorer the live session uses, so a stroke has the same number and score here
as it had live. The screen shows the whole recording (strokes shaded, gaps from the event log
hatched), the stroke list, the selected stroke against the exercise's corridor and the summary;
the up and down keys step through the strokes, and a click on the strip picks the stroke there.

The exercise is the one the recording names (``exercise: ID vN`` in its metadata, or the exercise
an expert demonstration was recorded for), else the one in use; the instructor can choose another
and the recording is scored again. A file that cannot be read is named, with its line, in a
non-modal banner; nothing the file holds can bring the window down.

Reviewing never writes to the recording and never touches a live session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from trainer.library.exercise import Exercise, ExerciseError, find_exercise
from trainer.live.connection import DeviceError
from trainer.live.feedback import Reveal
from trainer.offline.analysis import ScoreReport, score_recording
from trainer.recordings.format import Recording, RecordingError
from trainer.recordings.reader import read_recording
from trainer.scoring.envelope import EnvelopeError
from ui.plots.plate_view import FADED_STROKES, PlateView
from ui.plots.recording_strip import RecordingStrip, gaps_from_events
from ui.runtime.background import BackgroundCall
from ui.strokes.stroke_panel import StrokePanel
from ui.strokes.stroke_rows import StrokeRow, row_from
from ui.strokes.stroke_table import StrokeTable, StrokeTableModel
from ui.strokes.summary_panel import SummaryPanel
from ui.theme import LIGHT, Theme, figure_font
from ui.widgets.banner import Banner
from ui.widgets.exercise_picker import exercise_facts
from ui.widgets.screen_fit import fit_to_screen

BANNER_KEY = "review"
#: Errors a file or a choice can cause; anything else is a fault and is shown by its type.
USER_ERRORS = (RecordingError, ExerciseError, EnvelopeError, DeviceError, OSError)
#: Metadata naming the exercise: a recording scored live names it, an expert demonstration names
#: the exercise it was recorded for.
EXERCISE_KEYS = ("exercise", "expert_for")


@dataclass(frozen=True)
class Review:
    """A recording read and scored; ``note`` says anything surprising about the exercise used."""

    path: Path
    recording: Recording
    report: ScoreReport
    note: str = ""


def named_exercise(metadata: dict[str, str]) -> tuple[str, int | None]:
    """The exercise id and version a recording names ("sweep v2"), or ("", None)."""
    for key in EXERCISE_KEYS:
        words = (metadata.get(key) or "").split()
        if words:
            version = None
            if len(words) > 1 and words[1].startswith("v") and words[1][1:].isdigit():
                version = int(words[1][1:])
            return words[0], version
    return "", None


def choose_exercise(
    recording: Recording,
    known: Sequence[Exercise],
    fallback: Exercise | None,
    extra_dirs: tuple[Path, ...] = (),
) -> tuple[Exercise, str]:
    """The exercise to score ``recording`` against, and a note when it is not the one it names."""
    name = recording.path.name if recording.path else "the recording"
    ex_id, version = named_exercise(recording.metadata)
    exercise = next((ex for ex in known if ex.id == ex_id), None) if ex_id else None
    if exercise is None and ex_id:
        try:
            exercise = find_exercise(ex_id, extra_dirs)
        except ExerciseError:
            exercise = None
    if exercise is not None:
        note = ""
        if version is not None and version != exercise.version:
            note = (
                f"{name} was scored live against {ex_id} v{version}; scored here against "
                f"v{exercise.version}, the one this machine has."
            )
        return exercise, note
    chosen = fallback or (known[0] if known else None)
    if chosen is None:
        raise ExerciseError(f"{name}: no exercise to score it against")
    note = ""
    if ex_id:
        note = (
            f"{name} names exercise '{ex_id}', which is not here; "
            f"scored against {chosen.name} ({chosen.id})."
        )
    return chosen, note


def load_review(
    path: Path,
    known: Sequence[Exercise],
    fallback: Exercise | None,
    extra_dirs: tuple[Path, ...] = (),
    exercise: Exercise | None = None,
) -> Review:
    """Read and score a recording (the work the screen runs off the GUI thread)."""
    recording = read_recording(path)
    if exercise is not None:
        return Review(path, recording, score_recording(recording, exercise))
    chosen, note = choose_exercise(recording, known, fallback, extra_dirs)
    return Review(path, recording, score_recording(recording, chosen), note)


class ReviewView(QWidget):
    """Its own window: one recording at a time, its strokes one by one."""

    loaded = Signal(object)  # Review
    load_failed = Signal(str)

    def __init__(
        self,
        exercises: Sequence[Exercise] = (),
        current: Exercise | None = None,
        theme: Theme = LIGHT,
        extra_dirs: tuple[Path, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Review a recording — iastm-trainer")
        self._theme = theme
        self._exercises = list(exercises)
        self._current = current
        self._extra_dirs = extra_dirs
        self.review: Review | None = None
        self._pending: BackgroundCall | None = None
        self._pending_path = Path()
        self._build()
        self.set_exercises(self._exercises, current)
        self.strip.clear_recording("Open a recording (Ctrl+O) to review it stroke by stroke.")
        fit_to_screen(self, QSize(1500, 950))

    # ================================================================================ building ==
    def _build(self) -> None:
        theme = self._theme
        self.banner = Banner(theme)
        self.title = QLabel("No recording open")
        self.title.setFont(figure_font(16))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel("")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exercise_combo = QComboBox()
        self.exercise_combo.setMinimumContentsLength(16)
        self.exercise_combo.setToolTip("The exercise whose envelope the strokes are scored against")
        self.open_button = QPushButton("Open recording…")
        self.open_button.setToolTip("Open a recording file (Ctrl+O)")
        self.open_button.setShortcut("Ctrl+O")
        self.all_button = QPushButton("Whole recording")
        self.all_button.setToolTip("Show the whole recording in the strip (zoom with the wheel)")

        self.strip = RecordingStrip(theme)
        self.strip.setMinimumHeight(220)
        self.stroke_panel = StrokePanel(theme)
        self.table_model = StrokeTableModel(theme)
        self.table = StrokeTable(self.table_model)
        self.summary_panel = SummaryPanel()
        self.plate_view = PlateView(theme)  # a force plate's recording: where the stroke went
        self.plate_view.hide()
        self.plate_view.setMinimumHeight(220)  # under the summary, in a short side column
        self.exercise_note = QLabel("")
        self.exercise_note.setWordWrap(True)
        self.why = QLabel("")
        self.why.setWordWrap(True)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.why.setMinimumHeight(48)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Score against:"))
        top.addWidget(self.exercise_combo)
        top.addWidget(self.all_button)
        top.addWidget(self.open_button)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.summary_panel)
        side_layout.addWidget(self.plate_view, 1)
        side_layout.addWidget(self.exercise_note)
        side_layout.addStretch(1)
        # No fixed minimum width: the pane's minimum comes from its layout, so it grows with the
        # summary's longest figure ("45 ✗ (×2.1)"); a splitter pane squeezed below that cuts the
        # figure from the left.

        stroke_box = QWidget()
        stroke_layout = QVBoxLayout(stroke_box)
        stroke_layout.setContentsMargins(0, 0, 0, 0)
        stroke_layout.addWidget(self.stroke_panel, 1)
        stroke_layout.addWidget(self.why)

        self.lower = QSplitter(Qt.Orientation.Horizontal)
        self.lower.addWidget(stroke_box)
        self.lower.addWidget(self.table)
        self.lower.addWidget(side)
        self.lower.setStretchFactor(0, 5)
        self.lower.setStretchFactor(1, 7)
        self.lower.setStretchFactor(2, 2)
        self.lower.setSizes([520, 790, 270])
        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.addWidget(self.strip)
        self.centre.addWidget(self.lower)
        self.centre.setStretchFactor(0, 2)
        self.centre.setStretchFactor(1, 5)
        self.centre.setSizes([260, 620])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        layout.addWidget(self.centre, 1)

        self.open_button.clicked.connect(self.open_dialog)
        self.all_button.clicked.connect(self.strip.show_all)
        self.exercise_combo.activated.connect(self._on_exercise_chosen)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.strip.stroke_clicked.connect(self.select_stroke)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for w in (self.stroke_panel, self.strip, self.table_model, self.banner, self.plate_view):
            w.apply_theme(theme)

    def set_exercises(self, exercises: Sequence[Exercise], current: Exercise | None) -> None:
        """The exercises to choose from, and the one in use on the training screen."""
        self._exercises = list(exercises)
        self._current = current
        shown = self.review.report.exercise if self.review else current
        self.exercise_combo.blockSignals(True)
        self.exercise_combo.clear()
        for ex in self._exercises:
            self.exercise_combo.addItem(ex.name, ex.id)
        if shown is not None:
            i = self.exercise_combo.findData(shown.id)
            if i < 0:  # scored against an exercise from a file that is not listed
                self.exercise_combo.addItem(shown.name, shown.id)
                self._exercises.append(shown)
                i = self.exercise_combo.count() - 1
            self.exercise_combo.setCurrentIndex(i)
        self.exercise_combo.blockSignals(False)

    # ================================================================================ loading ==
    def open_dialog(self) -> None:
        """Ask for a recording file; the file dialog is the one modal step."""
        start = str(self.review.path.parent) if self.review else ""
        if not start and self._extra_dirs:
            start = str(self._extra_dirs[0].parent)
        name, _ = QFileDialog.getOpenFileName(
            self, "Open a recording", start, "Recordings (*.csv);;All files (*)"
        )
        if name:
            self.load(Path(name))

    def load(self, path: Path, exercise: Exercise | None = None) -> BackgroundCall:
        """Read and score ``path`` off the GUI thread; ``loaded`` or ``load_failed`` follows."""
        path = Path(path)
        known = list(self._exercises)
        fallback = self._current
        extra = self._extra_dirs
        self.banner.show_message(BANNER_KEY, f"Opening {path.name}…", "info", closable=False)
        return self._run(lambda: load_review(path, known, fallback, extra, exercise), path)

    def rescore(self, exercise: Exercise) -> BackgroundCall | None:
        """Score the open recording again, against ``exercise``."""
        if self.review is None:
            return None
        path, recording = self.review.path, self.review.recording
        self.banner.show_message(
            BANNER_KEY, f"Scoring {path.name} against {exercise.name}…", "info", closable=False
        )
        return self._run(
            lambda: Review(path, recording, score_recording(recording, exercise)), path
        )

    def _run(self, work: Callable[[], Review], path: Path) -> BackgroundCall:
        # Results go to methods of this window, which Qt disconnects if the window goes first;
        # only the newest request's result is shown.
        call = BackgroundCall(work, "review")
        call.succeeded.connect(self._on_loaded)
        call.failed.connect(self._on_failed)
        self._pending = call
        self._pending_path = path
        return call.start()

    def _on_exercise_chosen(self, i: int) -> None:
        if 0 <= i < len(self._exercises):
            self.rescore(self._exercises[i])

    def _on_failed(self, exc: BaseException) -> None:
        if self.sender() is not self._pending:
            return
        self._pending = None
        path = self._pending_path
        # A user error's message already names the file (and the line); a fault gets its type.
        user = isinstance(exc, USER_ERRORS)
        text = str(exc) if user else f"{type(exc).__name__}: {exc}"
        prefix = "" if str(path) in text or path.name in text else f"{path}: "
        message = f"Could not open the recording. {prefix}{text}"
        self.banner.show_message(BANNER_KEY, message, "warning")
        self.load_failed.emit(message)

    def _on_loaded(self, review: Review) -> None:
        if self.sender() is not self._pending:
            return  # a newer request is on its way
        self._pending = None
        self.review = review
        report = review.report
        recording = review.recording
        exercise = report.exercise
        self.setWindowTitle(f"Review — {review.path.name} — iastm-trainer")
        self.title.setText(review.path.name)
        self.facts.setText(_recording_facts(recording, report))
        self.set_exercises(self._exercises, self._current)
        self.stroke_panel.set_exercise(exercise)
        self.exercise_note.setText(
            f"<b>{exercise.name}</b> v{exercise.version}: {exercise_facts(exercise)}.<br>"
            f"{exercise.provenance.describe()}"
        )
        self.table_model.clear()
        for stroke, score in zip(report.strokes, report.scores, strict=True):
            self.table_model.add(row_from(stroke, score, exercise.pass_mark), Reveal.FULL)
        self.summary_panel.show_summary(report.summary)
        self.plate_view.reset()
        self.plate_view.set_plate_from_metadata(recording.metadata)
        self.plate_view.set_envelope(exercise.envelope.path)
        self.plate_view.setVisible({"cop_x_mm", "cop_y_mm"} <= set(recording.channels))
        angle = recording.channel("angle_deg") if "angle_deg" in recording.channels else None
        # A plate's (or a force-only tool's) recording has no angle: no empty angle plot.
        self.stroke_panel.angle_plot.setVisible(angle is not None)
        self.summary_panel.set_angle_measured(angle is not None)
        if recording.t_s.size:
            self.strip.show_recording(recording.t_s, recording.channel("force_n"), angle)
        else:
            self.strip.clear_recording("The recording holds no samples.")
        self.strip.set_strokes([(s.start_s, s.end_s) for s in report.strokes])
        self.strip.set_gaps(gaps_from_events(recording.events, recording.t_s))
        n = len(report.strokes)
        text = f"Reviewing {review.path.name}: {n} strokes scored against {exercise.name}."
        if review.note:
            text += f" {review.note}"
        if n == 0:
            text += " No strokes were found in it."
        self.banner.show_message(BANNER_KEY, text, "info")
        if n:
            self.select_stroke(0)
        else:
            self.stroke_panel.clear("No strokes in this recording.")
            self.why.setText("")
        self.table.setFocus()
        self.loaded.emit(review)

    # ============================================================================ navigation ==
    @property
    def busy(self) -> bool:
        return self._pending is not None

    def stroke_count(self) -> int:
        return self.table_model.rowCount()

    def selected_index(self) -> int | None:
        i = self.table.currentIndex().row()
        return i if 0 <= i < self.stroke_count() else None

    def select_stroke(self, i: int) -> None:
        """Show stroke ``i`` (0-based position in the list) against the corridor."""
        if not 0 <= i < self.stroke_count():
            return
        index = self.table_model.index(i, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(i)
        self.table.scrollTo(index)

    def step(self, delta: int) -> None:
        current = self.selected_index()
        target = 0 if current is None else current + delta
        self.select_stroke(max(0, min(self.stroke_count() - 1, target)))

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        i = current.row()
        row = self.table_model.row_at(i)
        self.stroke_panel.show_row(row, caption=_caption(row, self.stroke_count()))
        self.why.setText("\n".join(f"• {line}" for line in row.explanation))
        self.strip.select(i)
        strokes = self.review.report.strokes if self.review is not None else []
        if self.plate_view.isVisibleTo(self) and i < len(strokes):
            self.plate_view.show_strokes(strokes[i], strokes[max(0, i - FADED_STROKES) : i])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The list steps through strokes itself when it has the focus; elsewhere in the window
        # the same keys do the same.
        key = event.key()
        if key == Qt.Key.Key_Up:
            self.step(-1)
        elif key == Qt.Key.Key_Down:
            self.step(1)
        elif key == Qt.Key.Key_Home:
            self.select_stroke(0)
        elif key == Qt.Key.Key_End:
            self.select_stroke(self.stroke_count() - 1)
        else:
            super().keyPressEvent(event)


def _caption(row: StrokeRow, n: int) -> str:
    text = f"Stroke {row.number} of {n}: {row.duration_s:.2f} s"
    if row.score is not None:
        text += f", score {row.score_shown} {row.verdict}"
    return text


def _recording_facts(recording: Recording, report: ScoreReport) -> str:
    meta = recording.metadata
    parts = [f"{recording.duration_s:.1f} s"]
    rate = recording.rate_hz
    if rate:
        parts.append(f"{rate:.0f} Hz")
    if meta.get("device"):
        parts.append(meta["device"])
    if meta.get("started"):
        parts.append(f"started {meta['started']}")
    if meta.get("expert_for"):
        by = meta.get("recorded_by")
        parts.append("expert demonstration" + (f" by {by}" if by else ""))
    ex = report.exercise
    parts.append(f"scored against {ex.name} v{ex.version}")
    if ex.provenance.is_synthetic:
        parts.append("a synthetic reference")
    return " · ".join(parts)
