"""The application window: the training screen plus what lasts between runs.

It remembers the device, exercise, feedback schedule, theme and window layout; on start it looks
for an ITP/1 tool off the GUI thread and opens the first one found, or the built-in simulator, so a
machine with no hardware still does something useful; it offers to open a recording that a crash
left unfinished; and on close it stops the session off the GUI thread and closes only when the
recording has been closed properly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from devices.samples import DeviceEvent, EventKind
from trainer.analysis import ScoreReport, score_recording
from trainer.conditioning import Calibration, ConditioningError
from trainer.exercise import Exercise, ExerciseError, find_exercise
from trainer.recording import read_recording
from ui.background import run_in_background
from ui.device_panel import list_port_entries
from ui.paths import AppPaths
from ui.recovery import UnfinishedRecording, find_unfinished
from ui.session_controller import Phase, SessionController
from ui.settings import AppSettings, DeviceChoice
from ui.theme import Theme, apply_theme, theme_named
from ui.training_view import TrainingView

RECOVERY_KEY = "recovery"


def choose_device(saved: DeviceChoice, ports: list[dict[str, Any]]) -> DeviceChoice:
    """The device to open at start: the saved port if it answers, any ITP/1 tool, else the
    simulator (keeping the saved skill)."""
    itp_ports = [str(p.get("device")) for p in ports if p.get("itp")]
    if saved.kind == "serial" and saved.port in itp_ports:
        return saved
    if itp_ports:
        return DeviceChoice("serial", skill=saved.skill, port=itp_ports[0], baud=saved.baud)
    if saved.kind == "csv" and saved.port in {str(p.get("device")) for p in ports}:
        return saved
    return DeviceChoice("sim", skill=saved.skill, speed=saved.speed)


class MainWindow(QMainWindow):
    def __init__(
        self,
        exercises: Sequence[Exercise],
        paths: AppPaths,
        autostart: bool = True,
        probe_ports: bool = True,
        sim_speed: float = 1.0,
        sim_seed: int | None = None,
    ) -> None:
        super().__init__()
        self.paths = paths.ensure()
        self.settings = AppSettings(paths)
        self._theme_name = self.settings.theme()
        self.theme: Theme = theme_named(self._theme_name)
        self._closing = False
        self._pending_review: tuple[Path, ScoreReport] | None = None
        saved = self.settings.device()
        if saved.kind == "sim":
            saved = DeviceChoice("sim", skill=saved.skill, speed=sim_speed, seed=sim_seed)
        self.controller = SessionController(paths.sessions_dir)
        self.view = TrainingView(
            exercises,
            self.controller,
            device=saved,
            schedule=self.settings.schedule(),
            theme=self.theme,
        )
        # The last exercise used; on a first run the sweep, the stroke most courses start with.
        self.view.picker.select_id(self.settings.exercise_id() or "sweep")
        self.setCentralWidget(self.view)
        self.setWindowTitle("iastm-trainer — IASTM stroke training (for education)")
        self._build_menus()
        self.view.schedule_changed.connect(self.settings.set_schedule)
        self.view.exercise_changed.connect(lambda ex: self.settings.set_exercise_id(ex.id))
        self.view.device_changed.connect(self.settings.set_device)
        self.controller.stopped.connect(self._on_stopped)
        self.controller.started.connect(self._on_started)
        self.controller.event.connect(self._restore_calibration)
        self.view.calibration_applied.connect(self._remember_calibration)
        self._restore_window()
        self.apply_theme(self.theme)
        self._autostart = autostart
        self._sim_speed = sim_speed
        self._sim_seed = sim_seed
        if probe_ports:
            self.view.status.setText("Looking for a tool…")
            run_in_background(
                list_port_entries,
                "startup-ports",
                self._on_startup_ports,
                self._on_startup_ports_failed,
            )
        elif autostart:
            self.view.start_session()
        self.offer_recovery()

    # -- menus -----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        view_menu = self.menuBar().addMenu("&View")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label in (("system", "System colours"), ("light", "Light"), ("dark", "Dark")):
            action = QAction(label, self, checkable=True)
            action.setChecked(name == self._theme_name)
            action.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            group.addAction(action)
            view_menu.addAction(action)
            self.theme_actions[name] = action
        view_menu.addSeparator()
        toggle = QAction("Toggle light/dark", self)
        toggle.setShortcut("Ctrl+L")
        toggle.triggered.connect(self.toggle_theme)
        view_menu.addAction(toggle)
        help_menu = self.menuBar().addMenu("&Help")
        keys = QAction("Keyboard shortcuts", self)
        keys.triggered.connect(self._show_keys)
        help_menu.addAction(keys)
        about = QAction("About iastm-trainer", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def _show_keys(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setText(
            "Space  start / stop\nT  tare (tool still, off the skin)\nN  next exercise\n"
            "F  show last stroke (self-controlled feedback)\nCtrl+L  light / dark"
        )
        box.setModal(False)
        box.show()

    def _show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About iastm-trainer")
        box.setText(
            "iastm-trainer scores IASTM strokes against an instructor's expert envelope.\n\n"
            "For education, not for clinical use. Scores measure agreement with recorded expert "
            "strokes, not clinical effect; skill practised on a simulator or a skin simulant may "
            "not transfer to patients."
        )
        box.setModal(False)
        box.show()

    # -- theme -----------------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        self._theme_name = name
        self.settings.set_theme(name)
        self.apply_theme(theme_named(name))
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)

    def toggle_theme(self) -> None:
        self.set_theme("light" if self.theme.dark else "dark")

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.view.apply_theme(theme)

    # -- start-up --------------------------------------------------------------------------------
    def _on_startup_ports_failed(self, _exc: BaseException) -> None:
        self._on_startup_ports([])  # no port list: the simulator it is

    def _on_startup_ports(self, ports: list[dict[str, Any]]) -> None:
        if self._closing:
            return
        self.view.device_panel.set_ports(ports)
        choice = choose_device(self.view.device_panel.choice(), ports)
        if choice.kind == "sim":
            choice = DeviceChoice(
                "sim", skill=choice.skill, speed=self._sim_speed, seed=self._sim_seed
            )
        self.view.device_panel.set_choice(choice)
        if self._autostart and self.controller.phase is Phase.IDLE:
            self.view.start_session()
        else:
            self.view.status.setText("Press Space (or ▶ Start) to begin.")

    # -- crash recovery --------------------------------------------------------------------------
    def offer_recovery(self) -> list[UnfinishedRecording]:
        """A non-modal offer to open the newest recording that a crash left unfinished."""
        found = find_unfinished(self.paths.sessions_dir, set(self.settings.dismissed_recoveries()))
        if not found:
            return []
        newest = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        self.view.banner.show_message(
            RECOVERY_KEY,
            f"A recording was not finished properly: {newest.describe()}{more}.",
            "info",
            actions=[
                ("Open for review", lambda: self.open_for_review(newest.path)),
                ("Dismiss", lambda: self._dismiss_recovery(newest.path)),
            ],
        )
        return found

    def _dismiss_recovery(self, path: Path) -> None:
        self.settings.dismiss_recovery(str(path))
        self.view.banner.clear(RECOVERY_KEY)

    def open_for_review(self, path: Path) -> None:
        """Score a recording off the GUI thread and show its strokes (the live session stops)."""
        if self.controller.phase is not Phase.IDLE:
            self.view.stop_session()
        self.settings.dismiss_recovery(str(path))
        self.view.banner.show_message(RECOVERY_KEY, f"Opening {path.name}…", "info")
        known = {ex.id: ex for ex in self.view.picker.exercises}
        fallback = self.view.picker.current()

        def work() -> tuple[Path, ScoreReport]:
            recording = read_recording(path)
            # The recording names its exercise as "ID vVERSION".
            ex_id = (recording.metadata.get("exercise") or "").split(" ")[0]
            exercise = known.get(ex_id)
            if exercise is None and ex_id:
                try:
                    exercise = find_exercise(ex_id)
                except ExerciseError:
                    exercise = None
            exercise = exercise or fallback
            if exercise is None:
                raise ExerciseError(f"{path}: no exercise to score it against")
            return path, score_recording(recording, exercise)

        run_in_background(work, "review", self._on_review_ready, self._on_review_failed)

    def _on_review_failed(self, exc: BaseException) -> None:
        self.view.banner.show_message(
            RECOVERY_KEY, f"Could not open the recording: {exc}", "warning"
        )

    def _on_review_ready(self, result: tuple[Path, ScoreReport]) -> None:
        if self.controller.phase is not Phase.IDLE:
            self._pending_review = result  # shown when the live session has stopped
            return
        path, report = result
        self.view.show_review(path.name, report)
        self.view.banner.show_message(
            RECOVERY_KEY, f"Reviewing {path.name}: {len(report.scores)} strokes recovered.", "info"
        )

    # -- calibration -----------------------------------------------------------------------------
    def _remember_calibration(self, calibration: Calibration) -> None:
        serial = calibration.device_serial
        if serial:
            self.settings.set_calibration(serial, calibration.to_dict())

    def _restore_calibration(self, event: DeviceEvent) -> None:
        """When a tool names its serial number, put back the calibration last made for it."""
        session = self.controller.session
        if event.kind is not EventKind.INFO or event.info is None or session is None:
            return
        if session.calibration is not None or not session.running:
            return
        saved = self.settings.calibration(event.info.serial)
        if saved is None:
            return
        try:
            calibration = Calibration.from_dict(saved)
        except ConditioningError:
            return
        session.set_calibration(calibration)
        when = calibration.created or "an earlier session"
        self.view.device_panel.show_tare(f"calibration of {when} applied; tare (T) to zero")

    # -- window state and closing ----------------------------------------------------------------
    def _restore_window(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 1000)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set_window(self.saveGeometry(), self.saveState())
        self.settings.set_device(self.view.device_panel.choice())
        current = self.view.picker.current()
        if current is not None:
            self.settings.set_exercise_id(current.id)
        self.settings.set_schedule(self.view.policy.schedule)
        self.settings.sync()
        if self.controller.phase in (Phase.RUNNING, Phase.STOPPING, Phase.STARTING):
            # Close once the recording is closed; stopping joins threads, so not on this thread.
            self._closing = True
            if self.controller.phase is Phase.RUNNING:
                self.view.stop_session()
            event.ignore()
            return
        event.accept()

    def _on_started(self, _session: object) -> None:
        if self._closing:  # the window was closed while the tool was being opened
            self.view.stop_session()

    def _on_stopped(self, _summary: object) -> None:
        if self._closing:
            self.close()
            return
        if self._pending_review is not None:
            result, self._pending_review = self._pending_review, None
            self._on_review_ready(result)
