"""The instructor's window: record an expert demonstration and turn it into an exercise.

No published IASTM force envelope exists, so the envelope a course teaches against should be its
own instructor's. Here the instructor fills in what the exercise is (and, on the Scoring tab, its
pass mark, weights and tolerances, the design's by default), strokes the tool as they would
teach it (ten to twenty times; at least three), and watches each stroke join the overlay as it is
found. From three strokes on the envelope is built after every stroke, off the GUI thread: the
band over the strokes, the builder's outlier flags with its reasons (each stroke can be dropped
with its tick box) and the leave-one-out check against its targets. "Save exercise" writes the
exercise, with its provenance (expert, who, when, how many strokes, from which recording), into the
user's exercise folder, and the training screen lists it at once.

The demonstration is recorded like any session (``TrainingSession`` with a recording file) and the
file is kept in the user's expert-recordings folder, so the envelope can be rebuilt from it later
(``iastm-trainer envelope``). Without a tool the simulator stands in, stroking as an expert.

Every problem the instructor can cause (too few strokes, a bad or taken id) is said in the
window's banner, never in a modal dialog. The window never blocks on the device, the build or
the file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.library.draft import ExerciseDraft, build_exercise
from trainer.library.exercise import STROKE_TYPES, Exercise, ExerciseError
from trainer.library.user_exercises import (
    check_new_id,
    exercise_path,
    expert_recordings_dir,
    save_user_exercise,
    user_exercises_dir,
)
from trainer.live.connection import DeviceChoice, DeviceEvent, EventKind
from trainer.live.session import TrainingSession
from trainer.paths import AppPaths, expert_recording_path
from trainer.scoring.envelope import MIN_STROKES, EnvelopeError
from trainer.scoring.envelope_build import EnvelopeBuild
from trainer.scoring.weights import ScoringError, ScoringWeights
from trainer.strokes.normalise import NormalisedStroke, normalise
from trainer.strokes.stroke import Stroke
from ui.instructor.envelope_preview import CalibrationPanel, CurveKind, EnvelopePreview, ExpertCurve
from ui.instructor.expert_recorder import ExpertRecorder
from ui.instructor.expert_stroke_list import ExpertStrokeModel, ExpertStrokeTable, row_of
from ui.instructor.scoring_form import ScoringForm
from ui.plots.plate_view import FADED_STROKES, PlateView
from ui.plots.strip_chart import StripChart
from ui.runtime.background import BackgroundCall
from ui.runtime.session_runner import Phase
from ui.theme import LIGHT, Theme, figure_font
from ui.widgets.banner import Banner
from ui.widgets.confirm import confirm
from ui.widgets.screen_fit import fit_to_screen

DEFAULT_TARGET_STROKES = 15
MAX_TARGET_STROKES = 50
STRIP_INTERVAL_MS = 66  # the live strip is a check that the tool works: 15 Hz is plenty
MESSAGE_KEY = "expert"
DEVICE_KEY = "expert-device"

#: Asks the owner of the tool to let go of it, then calls back (the training screen may hold it).
ReleaseDevice = Callable[[Callable[[], None]], None]


def expert_choice(choice: DeviceChoice) -> DeviceChoice:
    """The device to record the expert on: the chosen tool, or the simulator as an expert."""
    return replace(choice, skill="expert") if choice.kind == "sim" else choice


def slug(text: str) -> str:
    """An exercise id suggested from its name ("Sweep – forearm" -> "sweep-forearm")."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:64]


class _CurrentPageTabs(QTabWidget):
    """Tabs as tall as the page shown. A QTabWidget asks for its tallest page's height; the 40 px
    the Exercise page does not need are what the demonstration below needs at 720p. The hint
    follows the page as it grows (a longer id hint) and as the tab changes."""

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def _fit(self, page_hint: QSize, own: QSize) -> QSize:
        return QSize(own.width(), page_hint.height() + self.tabBar().sizeHint().height())

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        own = super().sizeHint()
        return own if page is None else self._fit(page.sizeHint(), own)

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        own = super().minimumSizeHint()
        return own if page is None else self._fit(page.minimumSizeHint(), own)


class ExpertRecordingWindow(QWidget):
    """Its own, non-modal window; ``exercise_saved(exercise)`` once a file is written."""

    exercise_saved = Signal(object)  # trainer.library.exercise.Exercise, as saved

    def __init__(
        self,
        paths: AppPaths,
        reserved_ids: Iterable[str],
        device_choice: Callable[[], DeviceChoice],
        theme: Theme = LIGHT,
        release_device: ReleaseDevice | None = None,
        recorder: ExpertRecorder | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Record an expert demonstration — iastm-trainer")
        self._theme = theme
        self.exercises_dir = user_exercises_dir(paths)
        self._paths = paths
        self.recordings_dir = expert_recordings_dir(paths)
        self._reserved = frozenset(reserved_ids)
        self._device_choice = device_choice
        self._release_device = release_device
        self.recorder = recorder or ExpertRecorder(parent=self)
        self._strokes: list[Stroke] = []
        self._normalised: dict[int, NormalisedStroke] = {}
        self._selected: int | None = None
        self.build: EnvelopeBuild | None = None
        self._build_call: BackgroundCall | None = None
        self._build_again = False
        self._save_call: BackgroundCall | None = None
        self._save_after_stop = False
        self._close_after_stop = False
        self._waiting_for_device = False
        self._id_touched = False
        self.recording_file: Path | None = None
        self.saved: Exercise | None = None
        #: Strokes recorded since the last save: a new demonstration or closing asks first.
        self.unsaved = False

        self._build_ui()
        self._wire()
        self._timer = QTimer(self)
        self._timer.setInterval(STRIP_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh)
        self._show_device()
        self._on_id_changed()
        self._update_state()
        fit_to_screen(self, QSize(1600, 980))

    # ================================================================================ building ==
    def _build_ui(self) -> None:
        theme = self._theme
        self.banner = Banner(theme)

        # -- what the exercise is -----------------------------------------------------------------
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Sweep, forearm (Dr Smith)")
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("e.g. sweep-forearm-smith")
        self.id_hint = QLabel("")
        self.id_hint.setWordWrap(True)
        self.stroke_combo = QComboBox()
        for stroke_type in STROKE_TYPES:
            self.stroke_combo.addItem(stroke_type.replace("_", "-"), stroke_type)
        self.region_edit = QLineEdit()
        self.region_edit.setPlaceholderText("e.g. forearm (wrist extensors)")
        self.instrument_edit = QLineEdit()
        self.instrument_edit.setPlaceholderText("e.g. single-bevel convex, two hands")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("What the trainee should do and feel for")
        self.description_edit.setFixedHeight(72)
        self.description_edit.setTabChangesFocus(True)  # Tab moves on; it never types a tab
        self.by_edit = QLineEdit()
        self.by_edit.setPlaceholderText("the expert's name")
        # How the exercise scores: pass mark, weights, tolerances, on a tab of their own.
        self.scoring_form = ScoringForm()
        form_page = QWidget()
        page_layout = QVBoxLayout(form_page)
        form = QFormLayout()
        page_layout.addLayout(form)
        page_layout.addStretch(1)  # spare height below the form, never inside its rows
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow("Name", self.name_edit)
        form.addRow("Id", self.id_edit)
        form.addRow(self.id_hint)  # the whole width: a one-line hint takes one line
        form.addRow("Stroke type", self.stroke_combo)
        form.addRow("Body region", self.region_edit)
        form.addRow("Instrument", self.instrument_edit)
        form.addRow("Description", self.description_edit)
        form.addRow("Recorded by", self.by_edit)
        # The instructor's lock: an exercise is what students are graded against, so saving one
        # needs the instructor's passphrase (set by the first instructor action on the records).
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setToolTip(
            "The instructor's passphrase, needed to save: exercises are what students are graded "
            "against. Never stored."
        )
        self.passphrase_edit.setAccessibleName("Instructor passphrase")
        form.addRow("Passphrase", self.passphrase_edit)
        # Two tabs, not two boxes: the window must fit a 1280x720 screen.
        self.form_tabs = _CurrentPageTabs()
        self.form_tabs.addTab(form_page, "Exercise")
        self.form_tabs.addTab(self.scoring_form, "Scoring")
        self.form_tabs.setDocumentMode(True)
        # Never stretched: spare height goes below the forms, not between the form's rows.
        self.form_tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        # -- recording ----------------------------------------------------------------------------
        self.device_label = QLabel("")
        self.device_label.setWordWrap(True)
        self.target_spin = QSpinBox()
        self.target_spin.setRange(MIN_STROKES, MAX_TARGET_STROKES)
        self.target_spin.setValue(DEFAULT_TARGET_STROKES)
        self.target_spin.setToolTip("10 to 20 strokes give a reliable envelope; 3 is the least")
        self.start_button = QPushButton()
        self.start_button.setFont(figure_font(14))
        self.start_button.setMinimumHeight(44)
        # Ctrl+R as a window action, not the button's own shortcut: a button's setText sets its
        # shortcut to the text's mnemonic, so each new label ("Record again...") wiped Ctrl+R.
        self.record_action = QAction("Start or stop recording", self)
        self.record_action.setShortcut(QKeySequence("Ctrl+R"))
        self.record_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.record_action)
        self.count_label = QLabel("")
        self.count_label.setFont(figure_font(22))
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        record_box = QGroupBox("Demonstration")
        rec = QFormLayout(record_box)
        rec.addRow(self.device_label)  # full width: two lines, not four
        rec.addRow("Target strokes", self.target_spin)
        rec.addRow(self.start_button)
        rec.addRow(self.count_label)
        rec.addRow(self.progress)
        rec.addRow(self.hint)

        self.preview_button = QPushButton("Preview envelope")
        self.preview_button.setToolTip("Build the envelope from the ticked strokes now")
        self.save_button = QPushButton("Save exercise")
        self.save_button.setFont(figure_font(13))
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip(
            "Write the exercise into your exercise folder (Ctrl+S); a recording still going is "
            "stopped first"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button, 1)

        # The forms scroll when the screen is too short for them (1280x720 with a large font);
        # the buttons stay in view below them, and nothing is squashed.
        forms = QWidget()
        forms_layout = QVBoxLayout(forms)
        forms_layout.setContentsMargins(0, 0, 4, 0)
        forms_layout.setSpacing(2)
        forms_layout.addWidget(self.form_tabs)
        forms_layout.addWidget(record_box)
        forms_layout.addStretch(1)
        self.forms_scroll = QScrollArea()
        self.forms_scroll.setWidget(forms)
        self.forms_scroll.setWidgetResizable(True)
        self.forms_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.forms_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.forms_scroll, 1)
        left_layout.addLayout(buttons)
        left.setMinimumWidth(360)
        left.setMaximumWidth(460)

        # -- the strokes and the band -------------------------------------------------------------
        self.caption = QLabel("")
        self.caption.setFont(figure_font(15))
        self.caption.setWordWrap(True)
        self.preview = EnvelopePreview(theme)
        self.strip = StripChart(theme)
        self.strip.setMinimumHeight(150)
        self.strip.setMaximumHeight(210)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.caption)
        centre_layout.addWidget(self.preview, 1)
        centre_layout.addWidget(self.strip)

        self.stroke_model = ExpertStrokeModel(theme)
        self.stroke_table = ExpertStrokeTable(self.stroke_model)
        self.stroke_table.apply_theme(theme)
        self.stroke_detail = QLabel("Pick a stroke in the list to see it highlighted.")
        self.stroke_detail.setWordWrap(True)
        self.stroke_detail.setMinimumHeight(44)
        self.stroke_detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.calibration = CalibrationPanel()
        list_title = QLabel("Strokes (untick to drop one from the envelope)")
        list_title.setWordWrap(True)
        list_title.setFont(figure_font(13))
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(list_title)
        right_layout.addWidget(self.stroke_table, 1)
        right_layout.addWidget(self.stroke_detail)
        # A force plate's strokes: the picked (or newest) one on the plate, the ones before faded.
        self.plate_view = PlateView(theme)
        self.plate_view.hide()
        right_layout.addWidget(self.plate_view)
        right_layout.addWidget(self.calibration)
        right.setMinimumWidth(420)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([370, 650, 580])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

    def _wire(self) -> None:
        r = self.recorder
        r.started.connect(self._on_started)
        r.start_failed.connect(self._on_start_failed)
        r.stroke.connect(self.add_stroke)
        r.event.connect(self._on_event)
        r.error.connect(self._on_recorder_error)
        r.stopped.connect(self._on_stopped)
        self.start_button.clicked.connect(self.toggle_recording)
        self.record_action.triggered.connect(self.toggle_recording)
        self.preview_button.clicked.connect(self.preview_envelope)
        self.save_button.clicked.connect(self.save)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.id_edit.textEdited.connect(self._on_id_edited)
        self.id_edit.textChanged.connect(self._on_id_changed)
        self.target_spin.valueChanged.connect(lambda _v: self._update_state())
        self.stroke_model.keep_changed.connect(self._on_keep_changed)
        self.stroke_table.stroke_selected.connect(self._on_stroke_selected)
        self.scoring_form.changed.connect(self._on_scoring_changed)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for w in (
            self.banner,
            self.preview,
            self.strip,
            self.stroke_model,
            self.stroke_table,
            self.plate_view,
        ):
            w.apply_theme(theme)

    # ==================================================================================== form ==
    def draft(self) -> ExerciseDraft:
        """The exercise as the form describes it (not yet checked: weights all zero read as the
        design's here, and ``_form_problem`` refuses them)."""
        try:
            weights = self.scoring_form.weights()
        except ScoringError:
            weights = ScoringWeights()
        return ExerciseDraft(
            id=self.id_edit.text().strip(),
            name=self.name_edit.text().strip(),
            stroke_type=str(self.stroke_combo.currentData()),
            body_region=self.region_edit.text().strip() or "unspecified",
            instrument=self.instrument_edit.text().strip() or "unspecified",
            description=self.description_edit.toPlainText().strip(),
            recorded_by=self.by_edit.text().strip(),
            pass_mark=self.scoring_form.pass_mark(),
            weights=weights,
            tolerances=self.scoring_form.tolerances(),
        )

    def set_draft(self, draft: ExerciseDraft) -> None:
        """Fill in the form (a convenience for scripts and for starting from an old exercise)."""
        self.name_edit.setText(draft.name)
        self.id_edit.setText(draft.id)
        self._id_touched = bool(draft.id)
        i = self.stroke_combo.findData(draft.stroke_type)
        if i >= 0:
            self.stroke_combo.setCurrentIndex(i)
        self.region_edit.setText("" if draft.body_region == "unspecified" else draft.body_region)
        self.instrument_edit.setText("" if draft.instrument == "unspecified" else draft.instrument)
        self.description_edit.setPlainText(draft.description)
        self.by_edit.setText(draft.recorded_by)
        self.scoring_form.set_values(draft.pass_mark, draft.weights, draft.tolerances)

    def _on_name_edited(self, text: str) -> None:
        if not self._id_touched:
            self.id_edit.setText(slug(text))

    def _on_id_edited(self, text: str) -> None:
        self._id_touched = bool(text)

    def _on_id_changed(self, *_args: object) -> None:
        exercise_id = self.id_edit.text().strip()
        if not exercise_id:
            self.id_hint.setText("Filled in from the name; recordings name their exercise by it.")
            return
        try:
            check_new_id(exercise_id, self._reserved)
        except ExerciseError as exc:
            self.id_hint.setText(f"✗ {exc}")
            return
        if exercise_path(self.exercises_dir, exercise_id).exists():
            self.id_hint.setText(f"Replaces your exercise '{exercise_id}' (as its next version).")
        else:
            self.id_hint.setText("✓ A new exercise.")

    def _form_problem(self) -> str | None:
        scoring = self.scoring_form.problem()
        if scoring is not None:
            self.form_tabs.setCurrentWidget(self.scoring_form)
            return scoring
        draft = self.draft()
        try:
            check_new_id(draft.id, self._reserved)
        except ExerciseError as exc:
            return f"Cannot save: {exc}."
        if not draft.name:
            return "Cannot save: give the exercise a name (the trainees choose it by name)."
        kept = sum(self.stroke_model.kept())
        if kept < MIN_STROKES:
            more = MIN_STROKES - kept
            return (
                f"Cannot save: an envelope needs at least {MIN_STROKES} strokes and "
                f"{kept} {'is' if kept == 1 else 'are'} ticked. Record {more} more "
                "(10 to 20 give a reliable envelope)."
            )
        return None

    # =============================================================================== recording ==
    def _show_device(self) -> None:
        choice = expert_choice(self._device_choice())
        text = choice.describe()
        if choice.kind == "sim":
            text += ": no tool chosen, so a simulated expert strokes the chosen stroke type"
        self.device_label.setText(f"<b>Tool:</b> {html.escape(text)}")

    @property
    def recording(self) -> bool:
        return self.recorder.phase is not Phase.IDLE or self._waiting_for_device

    def toggle_recording(self) -> None:
        if self.recorder.phase is Phase.RUNNING:
            self.stop_recording()
        elif not self.recording:
            self.start_recording()

    def start_recording(self, ask: bool = True) -> bool:
        """Start a new demonstration (a new recording). Strokes not saved as an exercise are
        discarded from the builder, so with ``ask`` the instructor is asked first; their raw
        recording stays on disk either way."""
        if self.recording:
            return False
        if ask and self.unsaved and self._strokes and not self._discard_ok("record again"):
            return False
        self._clear_strokes()
        self._waiting_for_device = True
        self._show_device()
        if self._release_device is not None:
            self.hint.setText("Waiting for the training screen to let go of the tool…")
            self._release_device(self._open_device)
        else:
            self._open_device()
        self._update_state()
        return True

    def _open_device(self) -> None:
        if not self._waiting_for_device:
            return  # the window was closed while the tool was being released
        self._waiting_for_device = False
        draft = self.draft()
        choice = expert_choice(self._device_choice())
        path = expert_recording_path(self.recordings_dir, draft.id)
        metadata = {"purpose": "expert demonstration", "stroke_type": draft.stroke_type}
        if draft.id:
            metadata["expert_for"] = draft.id
        if draft.recorded_by:
            metadata["recorded_by"] = draft.recorded_by
        self.recorder.start(choice, draft.stroke_type, path, metadata)
        self.hint.setText(f"Connecting to {choice.describe()}…")
        self._update_state()

    def stop_recording(self) -> bool:
        ok = self.recorder.stop()
        if ok:
            self._timer.stop()
            self.hint.setText("Stopping: closing the recording…")
            self._update_state()
        return ok

    def _on_started(self, session: TrainingSession) -> None:
        if self._close_after_stop:
            self.recorder.stop()
            return
        self.recording_file = session.recording_path
        self.strip.reset()
        self.banner.clear(DEVICE_KEY)
        if self.isVisible():
            self._timer.start()
        self._update_state()

    def _on_start_failed(self, message: str) -> None:
        self.banner.show_message(DEVICE_KEY, f"Could not open the tool: {message}", "warning")
        self._update_state()
        if self._close_after_stop:
            self.close()

    def _on_stopped(self, path: Path | None) -> None:
        self._timer.stop()
        self.strip.set_stroke_in_progress(None)
        self.banner.clear(DEVICE_KEY)
        if path is not None:
            self.recording_file = path
        self._update_state()
        if self._close_after_stop:
            self.close()
            return
        if self._save_after_stop:
            self._save_after_stop = False
            self.save()
        elif len(self._strokes) >= MIN_STROKES:
            self.preview_envelope()

    def _on_event(self, event: DeviceEvent) -> None:
        session = self.recorder.session
        t0 = session.t0_s if session is not None else None
        rel = None if event.t_s is None or t0 is None else event.t_s - t0
        if event.kind is EventKind.DISCONNECTED:
            self.banner.show_message(
                DEVICE_KEY, "Tool disconnected — reconnecting…", "warning", closable=False
            )
            if rel is not None:
                self.strip.open_gap(rel)
        elif event.kind is EventKind.CONNECTED:
            self.banner.clear(DEVICE_KEY)
        elif event.kind is EventKind.GAP and rel is not None:
            self.strip.add_gap(rel, rel + event.duration_s, "gap")
        elif event.kind is EventKind.MESSAGE:
            self.banner.show_message(DEVICE_KEY, f"The tool says: {event.text}", "info")

    def _on_recorder_error(self, message: str) -> None:
        self.banner.show_message(DEVICE_KEY, f"Problem: {message}", "warning")

    def refresh(self) -> None:
        """One frame of the live strip: the newest seconds from the session's display buffer."""
        session = self.recorder.session
        if session is None or session.display is None:
            return
        channels = session.channels or ()
        if "force_n" not in channels:
            return
        state = session.state()
        now = state.last_t_s
        if now is None:
            return
        t, v = session.display.since(max(0.0, now - self.strip.window_s - 0.5))
        force = v[:, channels.index("force_n")]
        if "angle_deg" in channels:
            angle = v[:, channels.index("angle_deg")]
        else:
            angle = np.full(len(t), np.nan)
        self.strip.show_data(t, force, angle)
        self.strip.set_stroke_in_progress(state.stroke_start_s if state.in_stroke else None)

    # ================================================================================= strokes ==
    def add_stroke(self, stroke: Stroke) -> None:
        """A stroke found in the demonstration: listed, overlaid, and the envelope rebuilt."""
        self._strokes.append(stroke)
        self.unsaved = True
        # Normalising one stroke takes about a millisecond; the envelope is built off-thread.
        self._normalised[stroke.index] = normalise(stroke)
        self.stroke_model.add(row_of(stroke))
        if self.recorder.phase is Phase.RUNNING:
            self.strip.add_stroke(stroke.start_s, stroke.end_s)
        self._redraw()
        self._update_state()
        if sum(self.stroke_model.kept()) >= MIN_STROKES:
            self.preview_envelope()
        else:
            self._show_too_few()

    def strokes(self) -> list[Stroke]:
        return list(self._strokes)

    def set_kept(self, index: int, kept: bool) -> bool:
        """Keep or drop stroke ``index`` (what its tick box does)."""
        return self.stroke_model.set_kept(index, kept)

    def _on_keep_changed(self, _index: int, _kept: bool) -> None:
        self._redraw()
        self._update_state()
        if sum(self.stroke_model.kept()) >= MIN_STROKES:
            self.preview_envelope()
        else:
            self.build = None
            self.preview.show_build(None)
            self.plate_view.set_envelope(None)
            self._show_too_few()

    def _on_scoring_changed(self) -> None:
        """New weights or tolerances: the experts' leave-one-out check is scored with them."""
        if sum(self.stroke_model.kept()) >= MIN_STROKES:
            self.preview_envelope()

    def _on_stroke_selected(self, index: int) -> None:
        self._selected = index
        self._redraw()

    def _show_detail(self) -> None:
        row = next((r for r in self.stroke_model.rows() if r.index == self._selected), None)
        if row is None:
            return
        own = "" if row.own_score is None else f", own score {row.own_score:.0f}"
        self.stroke_detail.setText(
            f"<b>Stroke {row.index}</b> ({row.duration_s:.2f} s, peak {row.peak_force_n:.1f} N"
            f"{own}): {row.verdict()}"
        )

    def _discard_ok(self, then: str) -> bool:
        n = len(self._strokes)
        kept = f" (its raw recording stays in {self.recording_file})" if self.recording_file else ""
        return confirm(
            self,
            "Discard the demonstration?",
            f"The {n} strokes of this demonstration are not saved as an exercise{kept}. "
            f"Discard them and {then}?",
            f"Discard {n} strokes and {then}",
        )

    def _clear_strokes(self) -> None:
        self.unsaved = False
        self._strokes.clear()
        self._normalised.clear()
        self._selected = None
        self.stroke_detail.setText("Pick a stroke in the list to see it highlighted.")
        self.build = None
        self.recording_file = None
        self.stroke_model.clear()
        self.preview.show_build(None)
        self.plate_view.set_envelope(None)
        self._show_too_few()
        self._redraw()

    def _show_too_few(self) -> None:
        kept = sum(self.stroke_model.kept())
        more = MIN_STROKES - kept
        self.calibration.show_pending(
            f"The envelope is built from {MIN_STROKES} strokes on: {more} more to go "
            "(10 to 20 give a reliable envelope)."
            if more > 0
            else ""
        )

    def _redraw(self) -> None:
        curves = []
        for row in self.stroke_model.rows():
            norm = self._normalised.get(row.index)
            if norm is None:
                continue
            kind = CurveKind.DROPPED if not row.kept else CurveKind.KEPT
            if row.kept and row.outlier:
                kind = CurveKind.FLAGGED
            angle = norm.angle_deg if norm.has_angle else None
            curves.append(ExpertCurve(row.index, norm.force_n, angle, kind))
        self.preview.show_curves(curves, self._selected)
        self._update_caption()
        self._show_detail()
        self._show_plate()

    def _show_plate(self) -> None:
        """The picked stroke (else the newest) on the plate, when the strokes have a CoP."""
        strokes = self._strokes
        plate = bool(strokes) and strokes[-1].has_cop
        self.plate_view.setVisible(plate)
        if not plate:
            return
        at = next((i for i, s in enumerate(strokes) if s.index == self._selected), len(strokes) - 1)
        self.plate_view.show_strokes(strokes[at], strokes[max(0, at - FADED_STROKES) : at])

    def _update_caption(self) -> None:
        n = len(self._strokes)
        kept = sum(self.stroke_model.kept())
        if n == 0:
            self.caption.setText("Expert strokes, each over 0 to 100 % of its own duration")
            return
        text = f"{n} expert strokes"
        if kept != n:
            text += f", {kept} kept"
        if self.build is not None:
            env = self.build.envelope
            text += (
                f": band mean ± {env.band_multiplier:.2f} SD, expert duration "
                f"{env.duration_mean_s:.2f} s, peak {env.peak_force_mean_n:.1f} N"
            )
        self.caption.setText(text)

    # ================================================================================ building ==
    def preview_envelope(self) -> bool:
        """Build the envelope from the ticked strokes, off the GUI thread; False if too few."""
        keep = self.stroke_model.kept()
        if sum(keep) < MIN_STROKES:
            self._show_too_few()
            self.banner.show_message(
                MESSAGE_KEY,
                f"An envelope needs at least {MIN_STROKES} ticked strokes; {sum(keep)} so far.",
                "info",
            )
            return False
        if self._build_call is not None:
            self._build_again = True  # built again with the newest strokes when this one ends
            return True
        strokes = list(self._strokes)
        draft = self.draft()
        source = (self.recording_file.name,) if self.recording_file else ()

        def work() -> tuple[list[bool], EnvelopeBuild]:
            _exercise, build = build_exercise(draft, strokes, source, keep)
            return keep, build

        call = BackgroundCall(work, "expert-envelope")
        call.succeeded.connect(self._on_built)
        call.failed.connect(self._on_build_failed)
        self._build_call = call.start()
        return True

    def _on_built(self, result: tuple[list[bool], EnvelopeBuild]) -> None:
        self._build_call = None
        keep, build = result
        if keep == self.stroke_model.kept():
            self._show_build(keep, build)
        if self._build_again:
            self._build_again = False
            if sum(self.stroke_model.kept()) >= MIN_STROKES:
                self.preview_envelope()

    def _show_build(self, keep: list[bool], build: EnvelopeBuild) -> None:
        self.build = build
        rows = self.stroke_model.rows()
        kept_indices = [row.index for row, k in zip(rows, keep, strict=True) if k]
        own = dict(zip(kept_indices, build.calibration.scores, strict=False))
        self.stroke_model.set_verdicts(build.flags, own)
        self.preview.show_build(build)
        self.plate_view.set_envelope(build.envelope.path)
        self.calibration.show_build(build, len(keep))
        self.banner.clear(MESSAGE_KEY)
        self._redraw()

    def _on_build_failed(self, exc: BaseException) -> None:
        self._build_call = None
        self._build_again = False
        text = str(exc) if isinstance(exc, EnvelopeError) else f"{type(exc).__name__}: {exc}"
        self.banner.show_message(MESSAGE_KEY, f"The envelope could not be built: {text}", "warning")

    # ================================================================================== saving ==
    def save(self) -> bool:
        """Save the exercise (stopping a recording still going first); False if it cannot be."""
        problem = self._form_problem()
        if problem is not None:
            self.banner.show_message(MESSAGE_KEY, problem, "warning")
            return False
        if self._save_call is not None:
            return True
        if self.recorder.phase is Phase.RUNNING:
            self._save_after_stop = True
            self.banner.show_message(MESSAGE_KEY, "Stopping the recording, then saving…", "info")
            return self.stop_recording()
        if self.recording:
            self._save_after_stop = True
            return True
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            self.banner.show_message(
                MESSAGE_KEY,
                "Type the instructor passphrase to save: exercises are what students are graded "
                "against.",
                "warning",
            )
            self.passphrase_edit.setFocus()
            return False
        draft = self.draft()
        keep = self.stroke_model.kept()
        dropped = [r.index for r in self.stroke_model.rows() if not r.kept]
        draft.note = _provenance_note(len(keep), dropped)
        strokes = list(self._strokes)
        source = (self.recording_file.name,) if self.recording_file else ()
        folder, reserved = self.exercises_dir, self._reserved

        target = _records_target(self._paths)

        def work() -> tuple[Exercise, Exercise | None]:
            from trainer.records.repository import Records

            with Records.open(target) as records:
                records.check_instructor(passphrase)  # nothing is written if it is wrong
            exercise, _build = build_exercise(draft, strokes, source, keep)
            return save_user_exercise(exercise, folder, reserved)

        self.banner.show_message(MESSAGE_KEY, f"Saving '{draft.name}'…", "info", closable=False)
        call = BackgroundCall(work, "save-expert-exercise")
        call.succeeded.connect(self._on_saved)
        call.failed.connect(self._on_save_failed)
        self._save_call = call.start()
        self._update_state()
        return True

    def _on_saved(self, result: tuple[Exercise, Exercise | None]) -> None:
        self._save_call = None
        self.passphrase_edit.clear()
        exercise, previous = result
        self.saved = exercise
        self.unsaved = False
        replaced = f", replacing v{previous.version}" if previous is not None else ""
        self.banner.show_message(
            MESSAGE_KEY,
            f"Saved '{exercise.name}' ({exercise.id} v{exercise.version}{replaced}) from "
            f"{exercise.provenance.strokes} strokes to {exercise.source}. It is in the training "
            "screen's exercise list now.",
            "info",
        )
        self._on_id_changed()
        self._update_state()
        self.exercise_saved.emit(exercise)

    def _on_save_failed(self, exc: BaseException) -> None:
        from trainer.records.errors import RecordsError

        self._save_call = None
        self.passphrase_edit.clear()
        user = isinstance(exc, ExerciseError | EnvelopeError | OSError | RecordsError)
        text = str(exc) if user else f"{type(exc).__name__}: {exc}"
        self.banner.show_message(MESSAGE_KEY, f"Not saved: {text}", "warning")
        self._update_state()

    # =================================================================================== state ==
    def _update_state(self) -> None:
        phase = self.recorder.phase
        n = len(self._strokes)
        target = self.target_spin.value()
        running = phase is Phase.RUNNING
        busy = phase in (Phase.STARTING, Phase.STOPPING) or self._waiting_for_device
        if running:
            self.start_button.setText("■ Stop recording")
        elif n:
            self.start_button.setText(f"● Record again (discards these {n} strokes)")
        else:
            self.start_button.setText("● Start recording")
        self.start_button.setToolTip("Start or stop the demonstration (Ctrl+R)")
        self.start_button.setEnabled(not busy)
        self.stroke_combo.setEnabled(phase is Phase.IDLE and not self._waiting_for_device)
        self.target_spin.setEnabled(True)
        self.save_button.setEnabled(not busy and self._save_call is None)
        self.preview_button.setEnabled(not busy)
        self.count_label.setText(f"{n} of {target} strokes")
        self.progress.setRange(0, target)
        self.progress.setValue(min(n, target))
        if running:
            if n >= target:
                self.hint.setText("Target reached: press Stop (or carry on for more strokes).")
            else:
                self.hint.setText(
                    f"Recording. Stroke as you would teach it: {target - n} more to go."
                )
        elif phase is Phase.IDLE and not self._waiting_for_device:
            if n == 0:
                self.hint.setText(
                    f"Press Start, then stroke {target} times as you would teach it "
                    f"(at least {MIN_STROKES})."
                )
            elif self.recording_file is not None:
                self.hint.setText(f"Recorded to {self.recording_file.name}; it is kept.")

    # ============================================================================== visibility ==
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.recording:
            self._show_device()
        if self.recorder.phase is Phase.RUNNING and not self._timer.isActive():
            self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()  # a hidden window draws nothing; the recording goes on
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if (
            not self._close_after_stop
            and self.unsaved
            and self._strokes
            and not self._discard_ok("close")
        ):
            event.ignore()
            return
        self._waiting_for_device = False
        if self.recorder.phase in (Phase.STARTING, Phase.RUNNING, Phase.STOPPING):
            # Close once the recording is closed; stopping joins threads, so not on this thread.
            self._close_after_stop = True
            if self.recorder.phase is Phase.RUNNING:
                self.stop_recording()
            event.ignore()
            return
        self._close_after_stop = False
        self._timer.stop()
        self._update_state()
        event.accept()


def _records_target(paths: AppPaths) -> str:
    """The records the instructor's passphrase is kept in (``trainer.records``, imported here
    and not at start-up: it brings SQLAlchemy)."""
    from trainer.records.database import default_target

    return default_target(paths)


def _provenance_note(total: int, dropped: list[int]) -> str:
    text = f"Expert demonstration recorded in iastm-trainer: {total} strokes found"
    if dropped:
        text += f"; dropped by the instructor: stroke {', '.join(map(str, dropped))}"
    return text + "."
