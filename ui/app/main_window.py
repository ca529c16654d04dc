"""The application window: the training screen plus what lasts between runs.

It remembers the device, exercise, feedback schedule, theme and window layout; on start it looks
for an ITP/1 tool off the GUI thread and opens the first one found, or the built-in simulator, so a
machine with no hardware still does something useful; it offers to open a recording that a crash
left unfinished; and on close it stops the session off the GUI thread and closes only when the
recording has been closed properly. The instructor's own exercises are listed after the shipped
ones; recordings are reviewed, and expert demonstrations recorded, in windows of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

from trainer.paths import AppPaths
from ui.app.guide import GettingStarted, shortcuts_text
from ui.app.settings import AppSettings
from ui.runtime.background import run_in_background
from ui.theme import Theme, apply_theme, theme_named
from ui.widgets.screen_fit import fit_to_screen, keep_on_screen

# The window's frame (title, menus, size, a "Loading exercises…" line) needs none of what follows;
# what follows imports numpy (the exercises are numpy arrays) and is loaded by ``build``, which
# the application runs just after the frame has first been painted (see ``ui.app.first_paint``).
if TYPE_CHECKING:
    from trainer.library.exercise import Exercise
    from trainer.live.connection import DeviceChoice, DeviceEvent
    from trainer.recordings.recovery import UnfinishedRecording
    from trainer.signals.calibration import Calibration
    from ui.app.recovery import RecoverDialog, Recovery
    from ui.instructor.expert_recording import ExpertRecordingWindow
    from ui.records.class_window import ClassWindow
    from ui.records.instructor_window import InstructorWindow
    from ui.records.progress_window import ProgressWindow
    from ui.records.station import RecordsStation
    from ui.records.student_picker import StudentPicker
    from ui.review.review_view import ReviewView
    from ui.training.session_controller import SessionController
    from ui.training.training_view import TrainingView


def __getattr__(name: str) -> object:
    """``RECOVERY_KEY`` as before, without loading the recovery module with this one."""
    if name == "RECOVERY_KEY":
        from ui.app.recovery import RECOVERY_KEY

        return RECOVERY_KEY
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def list_port_entries(probe: bool = True) -> list[dict[str, Any]]:
    """The serial ports, probed for an ITP/1 tool (``ui.training.device_panel``'s list)."""
    from ui.training.device_panel import list_port_entries as entries

    return entries(probe)


#: The size the window opens at on a screen with room for it; smaller screens get what they have.
PREFERRED_SIZE = QSize(1600, 1000)
#: How long a closing window waits for the last session to reach the records (a lab server that
#: does not answer is given up on sooner, and the session goes to the station's outbox).
RECORDS_WAIT_MS = 30_000


def choose_device(saved: DeviceChoice, ports: list[dict[str, Any]]) -> DeviceChoice:
    """The device to open at start: the saved port if it answers, any ITP/1 tool, else the
    simulator (keeping the saved skill)."""
    from trainer.live.connection import DeviceChoice

    itp_ports = [str(p.get("device")) for p in ports if p.get("itp")]
    if saved.kind == "serial" and saved.port in itp_ports:
        return saved
    if itp_ports:
        return DeviceChoice("serial", skill=saved.skill, port=itp_ports[0], baud=saved.baud)
    if saved.kind == "csv" and saved.port in {str(p.get("device")) for p in ports}:
        return saved
    return DeviceChoice("sim", skill=saved.skill, speed=saved.speed, plate=saved.plate)


class MainWindow(QMainWindow):
    #: Emitted once the training screen is in place (``build`` has run): the window is usable.
    ready = Signal()

    def __init__(
        self,
        exercises: Sequence[Exercise] | None,
        paths: AppPaths,
        autostart: bool = False,
        probe_ports: bool = True,
        sim_speed: float = 1.0,
        sim_seed: int | None = None,
        connect: bool = False,
    ) -> None:
        """``autostart``: a session starts recording at once (scripts, benchmarks); ``connect``:
        the tool is connected in standby instead, ready to tare, and the trainee starts the
        session (the application).

        With ``exercises`` the window is built here, complete. With None only its frame is (the
        title, the menus, its size and place, "Loading exercises…"), which needs neither numpy
        nor the exercise library; ``build`` puts the training screen in. The application shows
        the frame first and builds it after the first paint, so the window appears at once."""
        super().__init__()
        self.paths = paths.ensure()
        self.settings = AppSettings(paths)
        self._theme_name = self.settings.theme()
        self.theme: Theme = theme_named(self._theme_name)
        self._closing = False
        self._built = False
        self._after_stop: list[Callable[[], None]] = []
        self._waiting_for_expert = False
        self._waiting_for_records = False
        self.review: ReviewView | None = None
        self.guide: GettingStarted | None = None
        self.progress_window: ProgressWindow | None = None
        self.class_window: ClassWindow | None = None
        self.instructor_window: InstructorWindow | None = None
        self.student_picker: StudentPicker | None = None
        self.keys_box: QMessageBox | None = None
        self.expert: ExpertRecordingWindow | None = None
        self._autostart = autostart
        self._connect = connect
        self._probe_ports = probe_ports
        self._sim_speed = sim_speed
        self._sim_seed = sim_seed
        self.setWindowTitle("iastm-trainer — IASTM stroke training (for education)")
        self.loading = QLabel("Loading exercises…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.loading)
        self._build_menus()
        # What needs the training screen waits for it; Quit, the theme and Help work at once.
        self._needs_screen = [
            self.open_recording_action,
            self.recover_action,
            self.choose_student_action,
            self.progress_action,
            self.class_action,
            self.instructor_action,
            self.record_expert_action,
        ]
        for action in self._needs_screen:
            action.setEnabled(False)
        self._restore_window()
        if exercises is not None:
            self.build(exercises)

    @property
    def built(self) -> bool:
        """Whether ``build`` has put the training screen in (the window is usable)."""
        return self._built

    def build(self, exercises: Sequence[Exercise]) -> None:
        """The training screen with ``exercises`` (and the instructor's own), the records, the
        session and the device connection: everything the frame left out. Once."""
        if self._built or self._closing:
            return
        from trainer.library.user_exercises import (
            load_user_exercises,
            merge_exercises,
            reserved_ids,
            user_exercises_dir,
        )
        from trainer.live.connection import DeviceChoice
        from ui.app.recovery import Recovery
        from ui.records.station import RecordsStation, records_target
        from ui.training.session_controller import SessionController
        from ui.training.training_view import TrainingView

        paths = self.paths
        # Who is training: their sessions are stored in the records as they end.
        self.records: RecordsStation = RecordsStation(records_target(self.paths), self)
        chosen = self.settings.records_student()
        if chosen is not None:
            self.records.student_id, self.records.student_name = chosen
        self.records.said.connect(lambda text: self.statusBar().showMessage(text))
        # The instructor's own exercises join the shipped ones; shipped ids stay reserved.
        self.user_exercises_dir = user_exercises_dir(paths)
        self._reserved_ids = reserved_ids(exercises)
        user, problems = load_user_exercises(self.user_exercises_dir)
        listed, clashes = merge_exercises(exercises, user)
        saved = self.settings.device()
        if saved.kind == "sim":
            saved = DeviceChoice(
                "sim",
                skill=saved.skill,
                speed=self._sim_speed,
                seed=self._sim_seed,
                plate=saved.plate,
            )
        self.controller: SessionController = SessionController(paths.sessions_dir)
        self.view: TrainingView = TrainingView(
            listed,
            self.controller,
            device=saved,
            schedule=self.settings.schedule(),
            theme=self.theme,
        )
        # The last exercise used; on a first run the sweep, the stroke most courses start with.
        self.view.picker.select_id(self.settings.exercise_id() or "sweep")
        self.setCentralWidget(self.view)  # the "Loading exercises…" line goes with it
        self.recovery: Recovery = Recovery(
            self.view.banner, self.settings, paths.sessions_dir, self.review_window, parent=self
        )
        self.view.schedule_changed.connect(self.settings.set_schedule)
        self.view.exercise_changed.connect(lambda ex: self.settings.set_exercise_id(ex.id))
        self.view.device_changed.connect(self.settings.set_device)
        self.controller.stopped.connect(self._on_stopped)
        self.controller.started.connect(self._on_started)
        self.controller.start_failed.connect(self._hand_over_device)
        self.controller.event.connect(self._restore_calibration)
        self.view.calibration_applied.connect(self._remember_calibration)
        self._built = True
        for action in self._needs_screen:
            action.setEnabled(True)
        if self.isVisible():
            # Shown before this was built: focus the first control, as Qt does on activation
            # (once Qt has shown the new screen's widgets, which it queues).
            QTimer.singleShot(0, self, self._focus_first_control)
        self.apply_theme(self.theme)
        if problems or clashes:
            self.view.banner.show_message(
                "user-exercises",
                "Not all your exercises could be listed: " + "; ".join(problems + clashes),
                "warning",
            )
        if self._probe_ports:
            self.view.status.setText("Looking for a tool…")
            run_in_background(
                list_port_entries,
                "startup-ports",
                self._on_startup_ports,
                self._on_startup_ports_failed,
            )
        elif self._autostart:
            self.view.start_session()
        elif self._connect:
            self.view.connect_device()
        self.offer_recovery()
        if self._connect and not self.settings.guide_seen():
            # The first start: what tare, the band and the keys are, over the shown window.
            QTimer.singleShot(0, self._first_run_guide)
        self.ready.emit()

    def _focus_first_control(self) -> None:
        if self.isActiveWindow() and QApplication.focusWidget() is None:
            self.focusNextPrevChild(True)

    def shutdown(self) -> None:
        """The application is quitting: the session's recording is closed properly."""
        if self._built:
            self.controller.shutdown()

    # -- menus -----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_recording = QAction("Open recording…", self)
        open_recording.setShortcut("Ctrl+O")
        open_recording.triggered.connect(self.open_recording)
        file_menu.addAction(open_recording)
        self.open_recording_action = open_recording
        recover = QAction("Recover…", self)
        recover.triggered.connect(self.recover)
        file_menu.addAction(recover)
        self.recover_action = recover
        file_menu.addSeparator()
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        if quit_action.shortcut().isEmpty():  # a platform without a standard Quit key
            quit_action.setShortcut("Ctrl+Q")
        quit_action.triggered.connect(self.close)  # closes the session's recording first
        file_menu.addAction(quit_action)
        self.quit_action = quit_action
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
        records_menu = self.menuBar().addMenu("&Records")
        who = QAction("Who is training…", self)
        who.triggered.connect(self.choose_student)
        records_menu.addAction(who)
        self.choose_student_action = who
        progress = QAction("Progress…", self)
        progress.triggered.connect(self.open_progress)
        records_menu.addAction(progress)
        self.progress_action = progress
        class_view = QAction("Class…", self)
        class_view.triggered.connect(self.open_class)
        records_menu.addAction(class_view)
        self.class_action = class_view
        instructor_view = QAction("Assessments and rating…", self)
        instructor_view.triggered.connect(self.open_instructor)
        records_menu.addAction(instructor_view)
        self.instructor_action = instructor_view
        instructor_menu = self.menuBar().addMenu("&Instructor")
        record = QAction("Record expert demonstration…", self)
        record.setShortcut("Ctrl+E")
        record.triggered.connect(self.open_expert_recording)
        instructor_menu.addAction(record)
        self.record_expert_action = record
        help_menu = self.menuBar().addMenu("&Help")
        guide = QAction("Getting started", self)
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.triggered.connect(self.show_guide)
        help_menu.addAction(guide)
        self.guide_action = guide
        keys = QAction("Keyboard shortcuts", self)
        keys.triggered.connect(self._show_keys)
        help_menu.addAction(keys)
        about = QAction("About iastm-trainer", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def _show_keys(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setText(shortcuts_text())
        box.setStyleSheet("QLabel { font-family: monospace; }")
        box.setModal(False)
        box.show()
        self.keys_box = box

    def _first_run_guide(self) -> None:
        if not self._closing and self.isVisible():  # not over a window already closed
            self.show_guide()

    def show_guide(self) -> GettingStarted:
        """Help > Getting started (F1); also shown once on the very first start."""
        if self.guide is None:
            self.guide = GettingStarted(self)
        self.guide.show()
        self.guide.raise_()
        self.settings.set_guide_seen()
        return self.guide

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
        if self._built:
            self.view.apply_theme(theme)
        for window in (self.review, self.expert, self.instructor_window):
            if window is not None:
                window.apply_theme(theme)

    # -- start-up --------------------------------------------------------------------------------
    def _on_startup_ports_failed(self, _exc: BaseException) -> None:
        self._on_startup_ports([])  # no port list: the simulator it is

    def _on_startup_ports(self, ports: list[dict[str, Any]]) -> None:
        from trainer.live.connection import DeviceChoice
        from ui.training.session_controller import Phase

        if self._closing:
            return
        self.view.device_panel.set_ports(ports)
        choice = choose_device(self.view.device_panel.choice(), ports)
        if choice.kind == "sim":
            choice = DeviceChoice(
                "sim",
                skill=choice.skill,
                speed=self._sim_speed,
                seed=self._sim_seed,
                plate=choice.plate,
            )
        self.view.device_panel.set_choice(choice)
        if self._autostart and self.controller.phase is Phase.IDLE:
            self.view.start_session()
        elif self._connect and self.controller.phase is Phase.IDLE:
            self.view.connect_device()
        else:
            self.view.status.setText("Press Space (or ▶ Start) to begin.")

    # -- crash recovery --------------------------------------------------------------------------
    def offer_recovery(self) -> list[UnfinishedRecording]:
        """A non-modal offer to open the newest recording that a crash left unfinished."""
        return self.recovery.offer()

    def open_for_review(self, path: Path) -> ReviewView:
        """Score a recording off the GUI thread and show it in the review window; an offer to
        recover it is dismissed once it has opened, not before (see ``ui.app.recovery``)."""
        return self.recovery.open(path)

    def recover(self) -> RecoverDialog:
        """File > Recover...: every unfinished recording, dismissed at start-up or not."""
        return self.recovery.show_list(self)

    # -- records -------------------------------------------------------------------------------
    def choose_student(self) -> StudentPicker:
        """Records > Who is training...: the student whose sessions are stored, or a guest."""
        from ui.records.student_picker import StudentPicker

        picker = StudentPicker(self.records.target, self.records.student_id, self)
        picker.accepted.connect(lambda: self._set_student(picker.chosen()))
        picker.open()
        self.student_picker = picker
        return picker

    def _set_student(self, chosen: tuple[str, str | None] | None) -> None:
        self.records.set_student(*(chosen or (None, None)))
        self.settings.set_records_student(chosen)

    def open_progress(self) -> ProgressWindow:
        """Records > Progress...: the chosen student's sessions over the weeks."""
        from ui.records.progress_window import ProgressWindow

        if self.progress_window is None:
            self.progress_window = ProgressWindow(
                self.records.target, self.records.student_id, self.theme
            )
            self.records.stored.connect(lambda _sid: self.progress_window.reload())
        self.progress_window.show()
        self.progress_window.raise_()
        return self.progress_window

    def open_class(self) -> ClassWindow:
        """Records > Class...: a course's students, who is behind, the hardest exercises."""
        from ui.records.class_window import ClassWindow

        if self.class_window is None:
            self.class_window = ClassWindow(self.records.target)
        self.class_window.show()
        self.class_window.raise_()
        return self.class_window

    def open_instructor(self) -> InstructorWindow:
        """Records > Assessments and rating...: completeness, gradebook, assessments, rating."""
        from ui.records.instructor_window import InstructorWindow

        if self.instructor_window is None:
            ids = [e.id for e in self.view.picker.exercises]
            self.instructor_window = InstructorWindow(self.records.target, ids, self.theme)
        self.instructor_window.show()
        self.instructor_window.raise_()
        return self.instructor_window

    # -- review and the instructor's windows ----------------------------------------------------
    def review_window(self) -> ReviewView:
        """The review window, shown and up to date with the exercises listed."""
        if self.review is None:
            from ui.review.review_view import ReviewView

            self.review = ReviewView(
                self.view.picker.exercises,
                self.view.picker.current(),
                self.theme,
                extra_dirs=(self.user_exercises_dir,),
                parent=self,  # a window of its own, gone with the application's
            )
        else:
            self.review.set_exercises(self.view.picker.exercises, self.view.picker.current())
        self.review.show()
        self.review.raise_()
        return self.review

    def open_recording(self) -> None:
        self.review_window().open_dialog()

    def open_expert_recording(self) -> ExpertRecordingWindow:
        if self.expert is None:
            from ui.instructor.expert_recording import ExpertRecordingWindow

            self.expert = ExpertRecordingWindow(
                self.paths,
                self._reserved_ids,
                self._expert_device,
                self.theme,
                release_device=self._release_device,
                parent=self,
            )
            self.expert.exercise_saved.connect(self._on_exercise_saved)
        self.expert.show()
        self.expert.raise_()
        return self.expert

    def _expert_device(self) -> DeviceChoice:
        from trainer.live.connection import DeviceChoice

        choice = self.view.device_panel.choice()
        if choice.kind == "sim":
            return DeviceChoice(
                "sim",
                skill="expert",
                speed=self._sim_speed,
                seed=self._sim_seed,
                plate=choice.plate,
            )
        return choice

    def _release_device(self, then: Callable[[], None]) -> None:
        """The tool serves one session at a time: stop training, then hand it over."""
        from ui.training.session_controller import Phase

        if self.controller.phase is Phase.IDLE:
            then()
            return
        self._after_stop.append(then)
        self.view.stay_connected = False  # the tool goes to the other window, not back to standby
        if self.controller.phase is Phase.RUNNING:
            self.view.stop_session()

    def _on_exercise_saved(self, exercise: Exercise) -> None:
        self.view.picker.add_exercise(exercise)
        if self.review is not None:
            self.review.set_exercises(self.view.picker.exercises, self.view.picker.current())

    # -- calibration -----------------------------------------------------------------------------
    def _remember_calibration(self, calibration: Calibration) -> None:
        serial = calibration.device_serial
        if serial:
            self.settings.set_calibration(serial, calibration.to_dict())

    def _restore_calibration(self, event: DeviceEvent) -> None:
        """When a tool names its serial number, put back the calibration last made for it."""
        from trainer.live.connection import EventKind
        from trainer.signals.calibration import Calibration
        from trainer.signals.errors import ConditioningError

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
            keep_on_screen(self)
        else:
            fit_to_screen(self, PREFERRED_SIZE)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._built:
            # Closed while the training screen was still loading: nothing to stop or save but
            # the window's size and place; ``build`` will not run after this.
            self.settings.set_window(self.saveGeometry(), self.saveState())
            self.settings.sync()
            for box in (self.guide, self.keys_box):
                if box is not None:
                    box.close()
            self._closing = True
            event.accept()
            return
        from ui.training.session_controller import Phase

        if self.expert is not None and not self.expert.close():
            if not self.expert.recording:  # the instructor kept an unsaved demonstration
                event.ignore()
                return
            # An expert demonstration is still being recorded: close once its file is closed.
            if not self._waiting_for_expert:
                self._waiting_for_expert = True
                self.expert.recorder.stopped.connect(self._close_after_expert)
            event.ignore()
            return
        if self.review is not None:
            self.review.close()
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
            self.view.stay_connected = False
            if self.controller.phase is Phase.RUNNING:
                self.view.stop_session()
            event.ignore()
            return
        if self.records.storing() and not self._waiting_for_records:
            # The session just finished is still being stored for the student: close once it is
            # in the records (or queued for the lab's server), or after 30 s whatever happens.
            self._closing = True
            self._waiting_for_records = True
            self.statusBar().showMessage("Saving the session to the records before closing…")
            self.records.idle.connect(self.close)
            QTimer.singleShot(RECORDS_WAIT_MS, self.close)
            event.ignore()
            return
        # The guide and the list of keys are windows of their own: left open, they would keep
        # the application running after its main window closed.
        for box in (
            self.guide,
            self.keys_box,
            self.progress_window,
            self.class_window,
            self.instructor_window,
        ):
            if box is not None:
                box.close()
        self._closing = True  # nothing may open after this (the guide, a connection)
        event.accept()

    def _on_started(self, _session: object) -> None:
        # The window was closed, or the tool asked for, while the tool was being opened.
        if self._closing or self._after_stop:
            self.view.stop_session()

    def _on_stopped(self, _summary: object) -> None:
        session = self.controller.session
        if session is not None and not session.standby:
            self.records.store_session(session, feedback=self.view.policy.schedule.value)
        if self._closing:
            self.close()
            return
        self._hand_over_device()

    def _hand_over_device(self, *_args: object) -> None:
        waiting, self._after_stop = self._after_stop, []
        for then in waiting:
            then()

    def _close_after_expert(self, _path: object) -> None:
        self.close()
