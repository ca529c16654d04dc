"""The training screen: practise strokes against the expert corridor and see how each one went.

What it shows, and from where:
- the stroke plots (force and angle against the corridor, the stroke in progress growing on the
  expert's time axis, the finished stroke kept until the next begins), the rolling ten-second strip
  and the big angle read-out are drawn from a display timer that reads the session's ring buffer
  and ``state()``: painting follows the display, never the sample rate;
- strokes, device events and tare results arrive as queued signals from the session's thread;
- what the trainee may see of each stroke is decided by the ``FeedbackPolicy`` alone.

The screen never blocks on I/O: sessions open and stop through ``SessionController`` on worker
threads. It owns no files; the session records.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.library.exercise import Exercise
from trainer.live.connection import DeviceChoice, DeviceEvent, EventKind
from trainer.live.feedback import FeedbackPolicy, Reveal, Schedule
from trainer.live.session import TrainingSession
from ui.plots.angle_readout import AngleReadout
from ui.plots.corridor import angle_corridor
from ui.plots.plate_view import PlateView
from ui.plots.strip_chart import StripChart
from ui.strokes.stroke_panel import StrokePanel
from ui.strokes.stroke_rows import StrokeRow, row_from, score_text
from ui.strokes.stroke_table import StrokeListPanel, StrokeTable, StrokeTableModel
from ui.strokes.summary_panel import SummaryPanel
from ui.theme import LIGHT, STATUS_FONT_PT, Theme, figure_font
from ui.training.block_report import BlockReportView
from ui.training.calibration_wizard import CalibrationWizard
from ui.training.control_bar import ControlBar
from ui.training.device_panel import DevicePanel
from ui.training.session_controller import Phase, SessionController
from ui.widgets.banner import Banner
from ui.widgets.confirm import confirm
from ui.widgets.exercise_picker import ExercisePicker

#: About 60 frames a second. A sample waits for the next frame, so the interval bounds the
#: sample-to-screen latency: at 30 Hz a sample could wait 33 ms before its frame even began.
#: Each frame costs a few milliseconds (benchmarks/bench_ui.py), so 60 Hz still leaves the GUI
#: thread idle most of the time.
DISPLAY_INTERVAL_MS = 16
DEVICE_STATUS_EVERY = 15  # refresh the device figures every 15th frame (about 4 Hz)
ANGLE_AVERAGE_S = 0.08  # the read-out averages the newest 80 ms so the number does not flicker
DISCONNECT_KEY = "disconnected"
NO_DATA_KEY = "no-data"
#: An open port that sends nothing for this long is reported (wall-clock seconds).
NO_DATA_S = 2.0

#: Why the plots are empty while a stroke goes on, per schedule without live feedback.
_HIDDEN_LIVE = {
    Schedule.TERMINAL: "Stroke in progress: your result comes after the stroke",
    Schedule.BANDWIDTH: "Stroke in progress: a result only if it leaves the band",
    Schedule.FADED: "No feedback on this stroke",
    Schedule.SELF_CONTROLLED: "Stroke in progress: press F afterwards to see it",
    Schedule.NONE: "Test block: no feedback until the block ends",
}
_LIVE_OFF_SHORT = {
    Schedule.TERMINAL: "live view off (terminal feedback)",
    Schedule.BANDWIDTH: "live view off (bandwidth feedback)",
    Schedule.FADED: "live view off for this stroke",
    Schedule.SELF_CONTROLLED: "live view off (self-controlled)",
    Schedule.NONE: "live view off (test block)",
}


class TrainingView(QWidget):
    """The whole training screen; ``controller`` runs the sessions it shows."""

    schedule_changed = Signal(object)  # Schedule
    exercise_changed = Signal(object)  # Exercise
    device_changed = Signal(object)  # DeviceChoice
    calibration_applied = Signal(object)  # trainer.signals.Calibration

    def __init__(
        self,
        exercises: Sequence[Exercise],
        controller: SessionController,
        device: DeviceChoice | None = None,
        schedule: Schedule = Schedule.CONCURRENT,
        theme: Theme = LIGHT,
    ) -> None:
        super().__init__()
        self.controller = controller
        self._theme = theme
        self.policy = FeedbackPolicy(schedule)
        self._block_offset = 0  # session stroke index before the current block's first stroke
        self._block_strokes = 0
        self._live_stroke_start: float | None = None
        self._last_data_t: float | None = None
        self._disconnected_at_t: float | None = None
        self._frame = 0
        self._drawn: tuple[int, int] | None = None  # (display buffer, samples) last drawn
        self._fresh_wall: float | None = None  # when samples last arrived (monotonic clock)
        self._restart_after_stop = False
        self._reconnect_after_stop = False
        #: Keep a tool connected in standby between sessions (the application does; a test that
        #: starts sessions by hand does not): after a session ends the tool is connected again.
        self.stay_connected = False
        self._channels: tuple[str, ...] | None = None
        self._wizard: CalibrationWizard | None = None

        self._build(exercises, device, schedule)
        self._wire()
        self._timer = QTimer(self)
        self._timer.setInterval(DISPLAY_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh)
        self._on_exercise(self.picker.current(), restart=False)
        self._show_idle_status()
        self._update_buttons()

    # ================================================================================ building ==
    def _build(
        self, exercises: Sequence[Exercise], device: DeviceChoice | None, schedule: Schedule
    ) -> None:
        theme = self._theme
        self.controls = ControlBar(schedule)
        # The controls the rest of the screen and the tests refer to directly.
        self.start_button = self.controls.start_button
        self.tare_button = self.controls.tare_button
        self.show_last_button = self.controls.show_last_button
        self.schedule_combo = self.controls.schedule_combo

        self.banner = Banner(theme)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setFont(figure_font(STATUS_FONT_PT))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.schedule_note = QLabel(schedule.explanation)
        self.schedule_note.setWordWrap(True)

        self.picker = ExercisePicker(exercises, theme)
        self.device_panel = DevicePanel(device, theme)
        self.stroke_panel = StrokePanel(theme)
        self.angle_readout = AngleReadout(theme)
        # A force plate (no angle, a centre of pressure) shows its plate here instead.
        self.plate_view = PlateView(theme)
        self.plate_view.hide()
        self.summary_panel = SummaryPanel()
        self.strip = StripChart(theme)
        self.table_model = StrokeTableModel(theme)
        self.table = StrokeTable(self.table_model)

        exercise_box = QWidget()
        ex_layout = QVBoxLayout(exercise_box)
        ex_layout.setContentsMargins(0, 0, 0, 0)
        ex_title = QLabel("Exercise")
        ex_title.setFont(figure_font(14))
        ex_layout.addWidget(ex_title)
        ex_layout.addWidget(self.picker)
        sidebar = QWidget()
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 4, 0)
        side.addWidget(exercise_box)
        side.addWidget(self.device_panel)
        side.addStretch(1)
        # On a small screen the side columns scroll rather than push the plots off the screen.
        self.sidebar = _scrolling(sidebar, minimum_width=340)
        self.sidebar.setMaximumWidth(420)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 4, 0)
        right_layout.addWidget(self.angle_readout)
        right_layout.addWidget(self.plate_view, 3)  # a plate takes the room it is given
        right_layout.addWidget(self.summary_panel)
        right_layout.addStretch(1)
        self.right_column = _scrolling(right, minimum_width=290)

        # Where the stroke plots are, Stop puts the block's report; starting again or picking a
        # stroke from the list brings the plots back.
        self.report_view = BlockReportView()
        self.stroke_stack = QStackedWidget()
        self.stroke_stack.addWidget(self.stroke_panel)
        self.stroke_stack.addWidget(self.report_view)
        self.upper = QSplitter(Qt.Orientation.Horizontal)
        self.upper.addWidget(self.stroke_stack)
        self.upper.addWidget(self.right_column)
        self.upper.setStretchFactor(0, 3)
        self.upper.setStretchFactor(1, 1)
        self.upper.setSizes([900, 300])
        self.lower = QSplitter(Qt.Orientation.Horizontal)
        self.lower.addWidget(self.strip)
        self.lower.addWidget(StrokeListPanel(self.table))
        self.lower.setStretchFactor(0, 2)
        self.lower.setStretchFactor(1, 3)
        self.lower.setSizes([470, 790])
        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.addWidget(self.upper)
        self.centre.addWidget(self.lower)
        self.centre.setStretchFactor(0, 3)
        self.centre.setStretchFactor(1, 2)
        self.centre.setSizes([560, 300])
        self.outer = QSplitter(Qt.Orientation.Horizontal)
        self.outer.addWidget(self.sidebar)
        self.outer.addWidget(self.centre)
        self.outer.setStretchFactor(0, 0)
        self.outer.setStretchFactor(1, 1)
        self.outer.setSizes([340, 1260])
        for splitter in (self.upper, self.lower, self.centre, self.outer):
            splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addWidget(self.controls)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.schedule_note)
        layout.addWidget(self.outer, 1)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.schedule_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

        self.actions_by_key: dict[str, QAction] = {}
        for key, text, slot in (
            ("Space", "Start/stop", self.toggle_session),
            ("T", "Tare", self.request_tare),
            ("N", "Next exercise", self.picker.select_next),
            ("F", "Show last stroke", self.show_last_stroke),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.actions_by_key[key] = action
        self.picker.combo.setToolTip("Exercise to practise (N: next exercise)")

    def _wire(self) -> None:
        c = self.controller
        c.started.connect(self._on_started)
        c.began.connect(self._on_began)
        c.begin_failed.connect(self._on_start_failed)
        c.start_failed.connect(self._on_start_failed)
        c.stopped.connect(self._on_stopped)
        c.stroke.connect(self._on_stroke)
        c.event.connect(self._on_event)
        c.tare.connect(self._on_tare)
        c.error.connect(self._on_error)
        c.note.connect(self._on_note)
        self.start_button.clicked.connect(self.toggle_session)
        self.tare_button.clicked.connect(self.request_tare)
        self.device_panel.tare_requested.connect(self.request_tare)
        self.device_panel.calibrate_requested.connect(self.open_calibration)
        self.show_last_button.clicked.connect(self.show_last_stroke)
        self.controls.schedule_changed.connect(self._on_schedule)
        self.picker.exercise_changed.connect(self._on_exercise)
        self.device_panel.choice_changed.connect(self.device_changed)
        self.device_panel.choice_changed.connect(self._on_device_choice)
        self.table.stroke_selected.connect(self._on_row_selected)
        self.banner.closed.connect(lambda _key: None)
        self.report_view.back_requested.connect(self.show_stroke_plots)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        for w in (
            self.stroke_panel,
            self.angle_readout,
            self.plate_view,
            self.strip,
            self.table_model,
            self.banner,
            self.picker,
            self.device_panel,
        ):
            w.apply_theme(theme)
        self.controls.apply_theme(theme)

    # =============================================================================== sessions ==
    @property
    def session(self) -> TrainingSession | None:
        return self.controller.session if self.controller.running else None

    def toggle_session(self) -> None:
        if self.controller.phase is Phase.RUNNING and not self.controller.standby:
            self.stop_session()
        elif self.controller.phase is Phase.IDLE or self.controller.standby:
            self.start_session()

    @property
    def recording(self) -> bool:
        """A session is recording and scoring (not a tool merely connected in standby)."""
        return self.controller.phase is Phase.RUNNING and not self.controller.standby

    def connect_device(self) -> bool:
        """Connect the chosen tool in standby: shown live, ready to tare, recording nothing until
        Space. This is how the application opens, and what it returns to after a session."""
        self.stay_connected = True
        if self.controller.phase is not Phase.IDLE:
            return False
        choice = self.device_panel.choice()
        if choice.kind != "sim" and not choice.port:
            self.device_panel.show_status("Not connected: choose a port")
            self._show_idle_status()
            return False
        ok = self.controller.connect(choice, self.picker.current())
        if ok:
            self.status.setText(f"Connecting to {choice.describe()}…")
            self._update_buttons()
        return ok

    def start_session(self) -> bool:
        """Start recording and scoring: on the tool connected in standby, else connecting first."""
        exercise = self.picker.current()
        metadata = {"feedback_schedule": self.policy.schedule.value}
        if self.controller.standby:
            ok = self.controller.begin(exercise, metadata=metadata)
            if ok:
                self.status.setText("Starting…")
                self._update_buttons()
            return ok
        choice = self.device_panel.choice()
        if choice.kind != "sim" and not choice.port:
            self.banner.show_message("device", "Choose a port for the tool first.", "warning")
            return False
        ok = self.controller.start(choice, exercise, metadata=metadata)
        if ok:
            self._reset_screen()
            self.status.setText(f"Connecting to {choice.describe()}…")
            self._update_buttons()
        return ok

    def stop_session(self) -> bool:
        ok = self.controller.stop()
        if ok:
            self._timer.stop()
            self.status.setText("Stopping: saving the recording…")
            self._update_buttons()
        return ok

    def _reset_screen(self) -> None:
        self.policy = FeedbackPolicy(self.controls.schedule())
        self._block_offset = 0
        self._block_strokes = 0
        self._live_stroke_start = None
        self._last_data_t = None
        self._disconnected_at_t = None
        self._channels = None
        self._drawn = None
        self.table_model.clear()
        self.strip.reset()
        self.stroke_panel.clear("")
        self.angle_readout.set_angle(None)
        self.plate_view.reset()
        self.summary_panel.show_summary(None)
        self.summary_panel.set_block(1, self.policy.schedule.label)
        self.banner.clear(DISCONNECT_KEY)
        self.show_stroke_plots()
        self._apply_live_masks()

    def _on_started(self, session: TrainingSession) -> None:
        self.device_panel.clear_figures()
        self._fresh_wall = None
        self.device_panel.show_status("Connected" if session.source.connected else "Connecting…")
        self.device_panel.show_tare("not tared (press T with the tool still)")
        self.banner.clear("device")
        self._drawn = None
        self._timer.start()
        if session.standby:
            self.strip.reset()
            self.strip.set_masked(None)
            self._show_standby_status()
        else:
            self._show_running_status()
        self._update_buttons()

    def _on_began(self, session: TrainingSession) -> None:
        """Space on a tool in standby: a new session records and scores from here."""
        self._reset_screen()
        self._show_running_status()
        self._update_buttons()

    def _on_start_failed(self, message: str) -> None:
        if self.controller.standby:  # the tool is there; the recording could not be started
            self.banner.show_message("device", f"Could not start: {message}", "warning")
            self._show_standby_status()
            self._update_buttons()
            return
        self.banner.show_message("device", f"Could not open the tool: {message}", "warning")
        self.device_panel.show_status("Not connected")
        self._show_idle_status()
        self._update_buttons()

    def _on_stopped(self, summary: object) -> None:
        self._timer.stop()
        if self._wizard is not None:
            self._wizard.reject()
        self.banner.clear(DISCONNECT_KEY)
        self.banner.clear(NO_DATA_KEY)
        self.device_panel.clear_figures()
        session = self.controller.session
        if session is not None and session.standby:
            # Only a tool in standby was let go of (another device or exercise, a closing
            # window): there is no session to report on.
            self.device_panel.show_status("Not connected")
            self.strip.set_masked("not connected")
            self._show_idle_status()
            self._update_buttons()
            if self._reconnect_after_stop:  # another tool or exercise: connect that one
                self._after_stop()
            return
        self.device_panel.show_status("Stopped")
        revealed = self.policy.end_block()
        for n in revealed:
            self.table_model.set_reveal(n + self._block_offset, Reveal.FULL)
        self.strip.set_masked(None)
        self.plate_view.set_masked(None)
        self.angle_readout.set_angle(None)
        rows = self.table_model.rows()
        # A stroke cut short by Stop is not left half-drawn: the last finished one, or nothing.
        if rows and self.table_model.reveal_of(rows[-1].number) is Reveal.FULL:
            self.stroke_panel.show_row(rows[-1])
        else:
            self.stroke_panel.clear("")
        self._show_block_report(summary)
        self._update_buttons()
        self._after_stop()

    def _after_stop(self) -> None:
        """What a stop was for: a new session, the tool connected again, or nothing."""
        if self._restart_after_stop:
            self._restart_after_stop = False
            self._reconnect_after_stop = False
            self.start_session()
        elif self._reconnect_after_stop or self.stay_connected:
            self._reconnect_after_stop = False
            if self.stay_connected:
                self.connect_device()

    def _show_block_report(self, summary: object) -> None:
        """Stop: the ended block's own figures and lessons, and where the recording went."""
        session = self.controller.session
        n = self.table_model.strokes_added
        if session is None:
            self.summary_panel.show_summary(summary)  # type: ignore[arg-type]
            self.status.setText(f"Session ended: {n} strokes.")
            return
        reports = session.blocks.reports()
        report = reports[-1]
        self.summary_panel.show_summary(report.summary)
        saved = session.recording_path if session.writer is not None else None
        reason = getattr(session, "stopped_reason", None)
        self.report_view.show_report(report, reports[:-1], saved, reason)
        self.stroke_stack.setCurrentWidget(self.report_view)
        mean = report.summary.mean_score if report.summary is not None else None
        text = f"Session ended: {n} strokes"
        if len(reports) > 1:
            text += f", {report.strokes} in block {report.number}"
        if mean is not None:
            text += f"; block mean score {score_text(mean, report.summary.pass_mark)}"
        self.status.setText(text + ".")

    def show_stroke_plots(self) -> None:
        self.stroke_stack.setCurrentWidget(self.stroke_panel)

    # ============================================================================ the display ==
    def refresh(self) -> None:
        """One display frame: read the newest samples and state, draw what the schedule allows."""
        session = self.session
        if session is None:
            return
        display = session.display
        # Nothing new (a tool that went quiet or away): keep what is drawn, repaint nothing.
        drawn = (id(display), display.total_appended) if display is not None else None
        fresh = drawn is not None and drawn != self._drawn
        self._drawn = drawn
        self._watch_for_silence(fresh)
        channels = session.channels
        if display is None or not channels or "force_n" not in channels:
            return
        if channels != self._channels:
            self._show_channels(channels)
        self._frame += 1
        state = session.state()
        fi = channels.index("force_n")
        ai = channels.index("angle_deg") if "angle_deg" in channels else None
        self.strip.set_with_angle(ai is not None)  # a plate: force takes the angle's room
        live = self.policy.live_for(self._block_strokes + 1)
        now = state.last_t_s
        if now is not None:
            self._note_data(now)
        if now is not None and live and fresh:
            t, v = session.display.since(max(0.0, now - self.strip.window_s - 0.5))
            angle = v[:, ai] if ai is not None else np.full(len(t), np.nan)
            self.strip.show_data(t, v[:, fi], angle)
            self.strip.set_stroke_in_progress(state.stroke_start_s if state.in_stroke else None)
            if ai is not None:
                t, v = session.display.since(now - ANGLE_AVERAGE_S)
                if len(t):
                    self.angle_readout.set_angle(float(np.mean(v[:, ai])))
        self._apply_live_masks(live)
        if state.in_stroke and state.stroke_start_s is not None:
            start = state.stroke_start_s
            number = self._block_offset + self._block_strokes + 1  # the list's numbering
            if self._live_stroke_start != start:
                self._live_stroke_start = start
                if not live:
                    self.stroke_panel.clear(
                        _HIDDEN_LIVE.get(self.policy.schedule, ""),
                        caption=f"Stroke {number}: in progress",
                    )
            if live and fresh:
                t, v = session.display.since(start)
                force = v[:, fi] - state.baseline_n
                angle = v[:, ai] if ai is not None else None
                self.stroke_panel.show_live(t, force, angle, start, number)
                if self.plate_view.isVisibleTo(self) and "cop_y_mm" in channels:
                    cx, cy = channels.index("cop_x_mm"), channels.index("cop_y_mm")
                    self.plate_view.show_live(t, force, v[:, cx], v[:, cy], start)
        if self._frame % DEVICE_STATUS_EVERY == 0:
            self.device_panel.show_counters(state.counters)
            self.device_panel.show_info(session.source.info)
            profile = getattr(session, "plate", None)  # a home-made plate's profile
            if profile is not None:
                self.plate_view.set_plate(profile.width_mm, profile.depth_mm)
            else:
                info = session.source.info
                self.plate_view.set_plate_from_info(info.raw if info is not None else None)
            if state.taring:
                self.device_panel.show_tare("taring: hold the tool still…")

    def _show_channels(self, channels: tuple[str, ...]) -> None:
        """What the device sends decides the right column: the angle read-out for a tool, the
        plate view for a device with a centre of pressure and no angle."""
        self._channels = channels
        plate = "angle_deg" not in channels and {"cop_x_mm", "cop_y_mm"} <= set(channels)
        # A force-only device has neither: no read-out that could only ever say "–".
        self.angle_readout.setVisible("angle_deg" in channels)
        self.plate_view.setVisible(plate)
        # No angle to show: the stroke's force gets the room of an empty angle plot.
        self.stroke_panel.angle_plot.setVisible("angle_deg" in channels)
        self.summary_panel.set_angle_measured("angle_deg" in channels)

    def _watch_for_silence(self, fresh: bool) -> None:
        """A port that is open but sends nothing (the wrong port, a tool switched off) says so
        within ``NO_DATA_S``, instead of looking connected with figures from before."""
        now = time.monotonic()
        if fresh or self._fresh_wall is None:
            self._fresh_wall = now
            if fresh and self.banner.showing(NO_DATA_KEY):
                self.banner.clear(NO_DATA_KEY)
                self.device_panel.show_status("Connected")
            return
        quiet = now - self._fresh_wall
        if quiet < NO_DATA_S or self._disconnected_at_t is not None:
            return
        if not self.banner.showing(NO_DATA_KEY):
            port = self.device_panel.choice().describe()
            self.banner.show_message(
                NO_DATA_KEY,
                f"No data from {port} for {NO_DATA_S:.0f} s: is the tool switched on, and is "
                "this its port? Nothing is being recorded.",
                "warning",
                closable=False,
            )
            self.device_panel.show_status("Open, but no data")
            self.device_panel.clear_figures()
            self.device_panel.rate_label.setText("0 samples/s")

    def _apply_live_masks(self, live: bool | None = None) -> None:
        if live is None:
            live = self.policy.live_for(self._block_strokes + 1)
        text = None if live else _LIVE_OFF_SHORT.get(self.policy.schedule)
        self.strip.set_masked(text)
        self.plate_view.set_masked(text)
        if text:
            self.angle_readout.set_masked(text)

    def _note_data(self, now_s: float) -> None:
        """Data arriving after an unplug: the tool is back, the banner goes on its own."""
        if self._disconnected_at_t is not None and now_s > self._disconnected_at_t:
            self._disconnected_at_t = None
            self.banner.clear(DISCONNECT_KEY)
            self.device_panel.show_status("Connected")
        self._last_data_t = now_s

    # ============================================================================== reports ==
    def _on_stroke(self, stroke: object, score: object) -> None:
        self.banner.clear("note")  # a note on the contact before this stroke is stale now
        session = self.controller.session  # the exercise the stroke was scored against
        exercise = session.exercise if session is not None else None
        pass_mark = exercise.pass_mark if exercise is not None else None
        row = row_from(stroke, score, pass_mark)  # type: ignore[arg-type]
        self._block_strokes = row.number - self._block_offset
        n = self._block_strokes
        reveal = self.policy.on_stroke(n, row.outcome())
        self.table_model.add(row, reveal)
        self.strip.add_stroke(row.start_s, row.end_s)
        self._live_stroke_start = None
        self._show_reveal(row, reveal)
        self._update_summary()
        self._update_buttons()

    def _show_reveal(self, row: StrokeRow, reveal: Reveal) -> None:
        schedule = self.policy.schedule
        if reveal is Reveal.FULL:
            self.stroke_panel.show_row(row)
            self.status.setText(_result_line(row))
        elif reveal is Reveal.IN_BAND:
            self.stroke_panel.clear("✓ Inside the band", caption=f"Stroke {row.number}")
            self.status.setText(f"Stroke {row.number}: ✓ inside the band.")
        else:
            why = {
                Schedule.SELF_CONTROLLED: "Press F to see it.",
                Schedule.NONE: "Results come when the block ends.",
                Schedule.FADED: "No feedback on this one.",
            }.get(schedule, "")
            self.stroke_panel.clear(why, caption=f"Stroke {row.number}: recorded")
            self.status.setText(f"Stroke {row.number} recorded. {why}".strip())
        self.schedule_note.setText(self.policy.status_text(self._block_strokes))

    def _update_summary(self) -> None:
        """The running figures of the current block alone, unless the schedule holds them back."""
        session = self.controller.session
        if self.policy.holds_back_summary:
            self.summary_panel.hold_back(self._block_strokes)
        elif session is not None:
            self.summary_panel.show_summary(session.blocks.report().summary)

    def _on_event(self, event: DeviceEvent) -> None:
        session = self.controller.session
        t0 = _session_t0(session)
        rel = None if event.t_s is None or t0 is None else event.t_s - t0
        kind = event.kind
        if kind is EventKind.DISCONNECTED and self.controller.phase is Phase.RUNNING:
            self._disconnected_at_t = rel if rel is not None else (self._last_data_t or 0.0)
            self.banner.show_message(
                DISCONNECT_KEY, "Tool disconnected — reconnecting…", "warning", closable=False
            )
            self.device_panel.show_status("Disconnected: reconnecting…")
            self.device_panel.clear_figures()
            if rel is not None:
                self.strip.open_gap(rel)
        elif kind is EventKind.CONNECTED:
            if self._disconnected_at_t is None:
                self.device_panel.show_status("Connected")
            else:
                self.device_panel.show_status("Reconnected: waiting for data…")
        elif kind is EventKind.GAP and rel is not None:
            self.strip.add_gap(rel, rel + event.duration_s, "gap")
        elif kind is EventKind.LOST and rel is not None:
            self.strip.add_gap(rel, rel, f"lost {event.count}")
        elif kind is EventKind.OVERFLOW and rel is not None:
            self.strip.add_gap(rel, rel + event.duration_s, "overflow")
        elif kind is EventKind.RESET and rel is not None:
            self.strip.add_gap(rel, rel, "device reset")
        elif kind is EventKind.MESSAGE:
            self.banner.show_message("device-message", f"The tool says: {event.text}", "info")
        elif kind is EventKind.INFO:
            self.device_panel.show_info(event.info)

    def _on_tare(self, result: object, error: str | None) -> None:
        if error is not None:
            self.device_panel.show_tare("not tared")
            self.banner.show_message("tare", f"Tare failed: {error}", "warning")
            return
        offset = getattr(result, "offset_n", None)
        text = "zeroed" if offset is None else f"zeroed (offset {offset:+.2f} N)"
        self.device_panel.show_tare(text)
        self.banner.clear("tare")

    def _on_note(self, message: str) -> None:
        """What the session left out or worked around ("Not scored: ..."), said at once. It
        never covers a warning (a silent port, a failed tare), and the next stroke clears it."""
        if self.banner.key and self.banner.kind == "warning":
            return
        self.banner.show_message("note", message, "info")

    def _on_error(self, message: str) -> None:
        self.banner.show_message("error", f"Problem: {message}", "warning")
        session = self.controller.session
        if (
            session is not None
            and session.stopped_reason is not None
            and self.controller.phase is Phase.RUNNING
        ):
            # The session stopped itself (a full disk, a device that changed its channels): the
            # window stops with it, rather than showing a session that no longer records.
            self.stay_connected = False
            self.stop_session()

    # ============================================================================= commands ==
    def request_tare(self) -> bool:
        ok = self.controller.request_tare(2.0)
        if ok:
            self.device_panel.show_tare("taring: hold the tool still…")
        return ok

    def open_calibration(self) -> CalibrationWizard | None:
        """The guided calibration (non-modal); it needs the live tool."""
        session = self.session
        if session is None:
            self.banner.show_message(
                "calibration", "Start a session first: calibration reads the live tool.", "info"
            )
            return None
        if self._wizard is not None:
            self._wizard.raise_()
            return self._wizard
        wizard = CalibrationWizard(session, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        wizard.applied.connect(self._on_calibration_applied)
        wizard.finished.connect(lambda _r: setattr(self, "_wizard", None))
        self._wizard = wizard
        wizard.show()
        return wizard

    def _on_calibration_applied(self, calibration: object) -> None:
        self.device_panel.show_tare("recalibrated: tare again (T) with the tool unloaded")
        self.calibration_applied.emit(calibration)

    def show_last_stroke(self) -> bool:
        """Self-controlled feedback: reveal the last stroke on the trainee's request."""
        n = self.policy.request_last()
        if n is None:
            return False
        number = n + self._block_offset
        self.table_model.set_reveal(number, Reveal.FULL)
        rows = [r for r in self.table_model.rows() if r.number == number]
        if rows:
            self.stroke_panel.show_row(rows[0])
            self.status.setText(_result_line(rows[0]))
        return True

    def set_schedule(self, schedule: Schedule) -> None:
        self.controls.set_schedule(schedule)

    def _on_schedule(self, schedule: Schedule) -> None:
        if schedule is self.policy.schedule:
            return
        # A new schedule is a new block: what the old one held back is revealed as its end says.
        for n in self.policy.end_block():
            self.table_model.set_reveal(n + self._block_offset, Reveal.FULL)
        self._block_offset += self._block_strokes
        self._block_strokes = 0
        self.policy = FeedbackPolicy(schedule)
        session = self.session
        if session is not None:
            # A new schedule is a new block: marked in the recording, summarised on its own.
            session.start_block(schedule.value)
            self.summary_panel.set_block(session.blocks.current.number, schedule.label)
        self.schedule_note.setText(schedule.explanation)
        self._apply_live_masks()
        self._update_summary()
        self._update_buttons()
        self.schedule_changed.emit(schedule)

    def _on_exercise(self, exercise: Exercise | None, restart: bool = True) -> None:
        self.stroke_panel.set_exercise(exercise)
        band = None
        if exercise is not None:
            corridor = angle_corridor(exercise.envelope)
            band = corridor.typical_band() if corridor is not None else None
        self.angle_readout.set_band(band)
        self.plate_view.set_envelope(exercise.envelope.path if exercise is not None else None)
        if exercise is not None:
            self.exercise_changed.emit(exercise)
        if restart and self.controller.standby:
            # The simulated person strokes the exercise's stroke type: connect it anew.
            session = self.controller.session
            choice = self.device_panel.choice()
            old = session.exercise if session is not None else None
            new_type = exercise.stroke_type if exercise is not None else None
            changed = new_type is not None and (old is None or old.stroke_type != new_type)
            if choice.kind == "sim" and changed:
                self._reconnect_after_stop = True
                self.controller.stop()
        elif restart and self.controller.phase is Phase.RUNNING:
            # Strokes are scored against the exercise the session began with: a new one starts,
            # and the student is asked first (the strokes so far stay in their recording).
            session = self.controller.session
            current = session.exercise if session is not None else None
            if exercise is None or current is None or exercise.id == current.id:
                return
            n = self.table_model.strokes_added
            if n and not confirm(
                self,
                "End this session?",
                f"This session of {current.name} has {n} strokes (kept in its recording). "
                f"End it and start a new one on {exercise.name}?",
                f"End it and start {exercise.name}",
            ):
                self.picker.select_id(current.id)  # back to the exercise being practised
                return
            self._restart_after_stop = True
            self.stop_session()

    def _on_device_choice(self, _choice: DeviceChoice) -> None:
        """Another tool picked while one waits in standby: let it go and connect the new one."""
        if self.controller.standby and not self.controller.beginning:
            self._reconnect_after_stop = True
            self.controller.stop()

    def _on_row_selected(self, row: StrokeRow) -> None:
        if self.table_model.reveal_of(row.number) is Reveal.FULL:
            self.stroke_panel.show_row(
                row,
                caption=f"Stroke {row.number} (picked from the list): "
                f"{row.duration_s:.2f} s, score {row.score_shown}"
                if row.score is not None
                else None,
            )

    # ============================================================================== status ==
    def _show_idle_status(self) -> None:
        self.status.setText("Press Space (or ▶ Start) to begin.")

    def _show_standby_status(self) -> None:
        self.status.setText(
            "Connected. Press T to tare with the tool still and off the skin, "
            "then Space (or ▶ Start) to begin."
        )

    def _show_running_status(self) -> None:
        self.status.setText("Stroke when ready.")
        self.schedule_note.setText(self.policy.status_text(self._block_strokes))

    def _update_buttons(self) -> None:
        phase = self.controller.phase
        standby = self.controller.standby
        connected = phase is Phase.RUNNING
        self.controls.show_state(
            running=connected and not standby,
            busy=phase in (Phase.STARTING, Phase.STOPPING) or self.controller.beginning,
            schedule=self.policy.schedule,
            can_request=self.policy.accepts_requests and self.table_model.rowCount() > 0,
            connected=connected,
        )
        self.device_panel.tare_button.setEnabled(connected)
        choosing = phase is Phase.IDLE or (standby and not self.controller.beginning)
        self.device_panel.source_combo.setEnabled(choosing)
        self.device_panel.skill_combo.setEnabled(choosing)

    # ========================================================================== visibility ==
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.controller.phase is Phase.RUNNING and not self._timer.isActive():
            self._timer.start()

    def hideEvent(self, event) -> None:
        # A hidden or minimised window draws nothing; the session records on regardless.
        self._timer.stop()
        super().hideEvent(event)

    @property
    def display_timer(self) -> QTimer:
        return self._timer


class _ColumnScroll(QScrollArea):
    """A side column that scrolls up and down, and is never narrower than what it holds."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # What the column holds changed its size: the splitter must hear of the new minimum.
        if event.type() is QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        width += self.verticalScrollBar().sizeHint().width()
        return QSize(max(width, self.minimumWidth()), 80)


def _scrolling(content: QWidget, minimum_width: int) -> QScrollArea:
    """``content`` in a frameless area that scrolls up and down when the screen is too short."""
    area = _ColumnScroll()
    area.setWidget(content)
    content.installEventFilter(area)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumWidth(minimum_width)
    return area


def _result_line(row: StrokeRow) -> str:
    if row.score is None:
        return f"Stroke {row.number}: {row.duration_s:.2f} s, peak {row.peak_force_n:.1f} N."
    text = f"Stroke {row.number}: {row.score_shown}  {row.verdict}"
    if row.one_line:
        text += f" — {row.one_line}"
    return text


def _session_t0(session: TrainingSession | None) -> float | None:
    """The device time of the session's first sample: events come on the device's time axis."""
    if session is None:
        return None
    t0 = getattr(session, "t0_s", None)
    if t0 is None:
        t0 = session.t0_s
    return None if t0 is None or not math.isfinite(t0) else float(t0)
