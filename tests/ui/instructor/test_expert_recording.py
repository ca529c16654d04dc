"""The instructor records an expert demonstration and turns it into an exercise.

The demonstration runs on the simulated tool in expert mode (ITP/1 over a ``sim://`` port,
faster than real time) through the same session, recorder and segmenter as a trainee's; the
exercise it makes is then used to score fresh simulated recordings offline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import ui.app.main_window as main_window_module
from tests.ui.dialogs import answer_next_question
from trainer.library.draft import ExerciseDraft
from trainer.library.exercise import Exercise, load_exercise_file
from trainer.library.user_exercises import (
    check_new_id,
    expert_recordings_dir,
    load_user_exercises,
    merge_exercises,
    reserved_ids,
    user_exercises_dir,
)
from trainer.live.connection import DeviceChoice
from trainer.offline.analysis import score_recording, segment_recording
from trainer.offline.simulation import simulate_recording
from trainer.paths import AppPaths
from trainer.recordings.reader import read_recording
from trainer.strokes.detection import DetectionSettings
from trainer.strokes.stroke import Stroke
from ui.app.main_window import MainWindow
from ui.instructor.envelope_preview import CurveKind
from ui.instructor.expert_recording import ExpertRecordingWindow, slug
from ui.instructor.expert_stroke_list import COL_USE
from ui.training.session_controller import Phase

DRAFT = ExerciseDraft(
    id="sweep-forearm-lee",
    name="Sweep, forearm (J. Lee)",
    stroke_type="sweep",
    body_region="forearm",
    instrument="single-bevel convex",
    description="Long even strokes along the fibres.",
    recorded_by="J. Lee",
    pass_mark=70.0,
)
STROKES_TIMEOUT_MS = 30_000
PASSPHRASE = "lab instructor"


def _stop_recording(qtbot, window: ExpertRecordingWindow) -> None:
    recorder = window.recorder
    if recorder.phase is Phase.STARTING:
        qtbot.waitUntil(lambda: recorder.phase is not Phase.STARTING, timeout=15_000)
    if recorder.phase is Phase.RUNNING:
        with qtbot.waitSignal(recorder.stopped, timeout=10_000):
            window.stop_recording()
    elif recorder.phase is Phase.STOPPING:
        qtbot.waitUntil(lambda: recorder.phase is Phase.IDLE, timeout=10_000)
    window.unsaved = False  # the test is done with it: closing need not ask


@pytest.fixture
def make_window(
    qtbot, tmp_path: Path, sweep_exercise: Exercise
) -> Iterator[Callable[..., ExpertRecordingWindow]]:
    made: list[ExpertRecordingWindow] = []

    def make(seed: int = 31) -> ExpertRecordingWindow:
        window = ExpertRecordingWindow(
            AppPaths.under(tmp_path),
            reserved_ids([sweep_exercise]),
            lambda: DeviceChoice("sim", skill="novice", speed=8.0, seed=seed),
        )
        qtbot.addWidget(window, before_close_func=lambda w: _stop_recording(qtbot, w))
        window.show()
        made.append(window)
        return window

    yield make
    made.clear()


@pytest.fixture(scope="module")
def offline_strokes(tmp_path_factory: pytest.TempPathFactory) -> list[Stroke]:
    """Expert strokes found offline, for the checks that need strokes but no live device."""
    path, _ = simulate_recording(
        tmp_path_factory.mktemp("expert") / "expert.csv", strokes=6, seed=12
    )
    return segment_recording(read_recording(path), DetectionSettings())


def _wait_for_build(qtbot, window: ExpertRecordingWindow, strokes_in_band: int) -> None:
    def built() -> bool:
        build = window.build
        return (
            window._build_call is None
            and build is not None
            and build.envelope.n_strokes == strokes_in_band
        )

    qtbot.waitUntil(built, timeout=15_000)


def test_a_simulated_expert_demonstration_becomes_an_exercise_that_tells_experts_from_novices(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window()
    window.set_draft(DRAFT)
    # Without a tool the simulator stands in, as an expert whatever skill the training screen had.
    assert "Simulated tool (expert)" in window.device_label.text()
    window.start_recording()
    qtbot.waitUntil(lambda: window.recorder.phase is Phase.RUNNING, timeout=15_000)
    assert window.stroke_combo.isEnabled() is False  # the simulated expert strokes this type
    qtbot.waitUntil(lambda: len(window.strokes()) >= 7, timeout=STROKES_TIMEOUT_MS)

    # Each stroke is listed and overlaid as it comes; from three on, the band is built.
    qtbot.waitUntil(lambda: window.build is not None, timeout=15_000)
    assert window.preview.force_plot.band_shown()
    with qtbot.waitSignal(window.recorder.stopped, timeout=10_000):
        window.stop_recording()
    n = len(window.strokes())
    assert window.stroke_model.rowCount() == n
    assert window.preview.force_plot.curve_count() == n
    _wait_for_build(qtbot, window, n)
    assert window.calibration.value("strokes") == f"{n} of {n}"
    assert "(target ≥ 90)" in window.calibration.value("median")
    assert "(target ≥ 75)" in window.calibration.value("p5")
    assert window.calibration.note.text()  # the builder's note, in words
    own_scores = [r.own_score for r in window.stroke_model.rows()]
    assert all(s is not None and 0 <= s <= 100 for s in own_scores), own_scores

    # The instructor drops one stroke (a flagged one if the builder found any) with its tick box.
    rows = window.stroke_model.rows()
    flagged = [r.index for r in rows if r.outlier]
    drop = flagged[0] if flagged else min(rows, key=lambda r: r.own_score or 0.0).index
    position = [r.index for r in rows].index(drop)
    model_index = window.stroke_model.index(position, COL_USE)
    assert window.stroke_model.setData(
        model_index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
    )
    _wait_for_build(qtbot, window, n - 1)
    assert window.calibration.value("strokes") == f"{n - 1} of {n}"
    assert window.preview.force_plot.kinds()[drop] is CurveKind.DROPPED
    assert window.stroke_model.row_at(position).verdict().startswith("dropped")

    window.passphrase_edit.setText(PASSPHRASE)  # the first instructor action sets it
    with qtbot.waitSignal(window.exercise_saved, timeout=15_000) as saved:
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    assert window.passphrase_edit.text() == ""  # never kept
    exercise: Exercise = saved.args[0]
    on_disk = load_exercise_file(user_exercises_dir(AppPaths.under(tmp_path)) / f"{DRAFT.id}.json")
    prov = on_disk.provenance
    assert (prov.kind, prov.strokes, prov.recorded_by) == ("expert", n - 1, "J. Lee")
    assert f"stroke {drop}" in prov.note
    assert on_disk.envelope.n_strokes == n - 1
    assert on_disk.calibration["strokes"] == n - 1
    assert (on_disk.name, on_disk.pass_mark, on_disk.stroke_type) == (DRAFT.name, 70.0, "sweep")
    assert exercise.id == on_disk.id

    # The demonstration is kept beside the exercises, so the envelope can be rebuilt from it.
    (recording_name,) = prov.source_files
    recording = read_recording(expert_recordings_dir(AppPaths.under(tmp_path)) / recording_name)
    assert recording.metadata["expert_for"] == DRAFT.id
    assert len(segment_recording(recording, on_disk.detection)) >= n - 1

    # The new exercise scores another simulated expert well, and a novice lower.
    expert_csv, _ = simulate_recording(tmp_path / "expert.csv", skill="expert", strokes=8, seed=7)
    novice_csv, _ = simulate_recording(tmp_path / "novice.csv", skill="novice", strokes=8, seed=8)
    expert_mean = score_recording(read_recording(expert_csv), on_disk).summary.mean_score
    novice_mean = score_recording(read_recording(novice_csv), on_disk).summary.mean_score
    assert expert_mean is not None and novice_mean is not None
    assert expert_mean >= 70.0
    assert novice_mean < expert_mean - 15.0


def window_paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path)


def test_saving_says_what_is_wrong_without_a_dialog_and_writes_nothing(
    qtbot, make_window, tmp_path: Path, offline_strokes: list[Stroke]
) -> None:
    window = make_window()
    window.set_draft(DRAFT)
    folder = user_exercises_dir(AppPaths.under(tmp_path))
    for stroke in offline_strokes[:2]:
        window.add_stroke(stroke)
    assert window.build is None
    assert "1 more" in window.calibration.note.text()

    assert not window.save()
    assert window.banner.isVisible()
    assert "at least 3 strokes" in window.banner.text() and "1 more" in window.banner.text()
    assert QApplication.activeModalWidget() is None

    window.add_stroke(offline_strokes[2])
    _wait_for_build(qtbot, window, 3)
    window.id_edit.setText("Sweep Forearm!")
    assert window.id_hint.text().startswith("✗")
    assert not window.save()
    assert "lower-case letters" in window.banner.text()
    window.id_edit.setText("sweep")
    assert not window.save()
    assert "belongs to a shipped exercise" in window.banner.text()
    assert not folder.exists() or not list(folder.glob("*.json"))

    # A good id saves; saving again under it replaces the exercise as its next version.
    window.id_edit.setText("sweep-own")
    window.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.exercise_saved, timeout=15_000) as first:
        assert window.save()
    assert first.args[0].version == 1
    assert first.args[0].provenance.source_files == ()  # no recording: strokes given directly
    assert "Replaces your exercise" in window.id_hint.text()
    window.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.exercise_saved, timeout=15_000) as second:
        assert window.save()
    assert second.args[0].version == 2
    assert "replacing v1" in window.banner.text()
    assert [f.name for f in folder.glob("*.json")] == ["sweep-own.json"]


def test_dropping_strokes_below_three_takes_the_band_away(
    qtbot, make_window, offline_strokes: list[Stroke]
) -> None:
    window = make_window()
    for stroke in offline_strokes[:4]:
        window.add_stroke(stroke)
    _wait_for_build(qtbot, window, 4)
    window.set_kept(offline_strokes[0].index, False)
    _wait_for_build(qtbot, window, 3)
    window.set_kept(offline_strokes[1].index, False)
    assert window.build is None
    assert not window.preview.force_plot.band_shown()
    assert window.preview.force_plot.curve_count() == 4  # dropped strokes stay in sight
    window.set_kept(offline_strokes[1].index, True)
    _wait_for_build(qtbot, window, 3)
    assert window.preview.force_plot.band_shown()


def test_the_name_suggests_an_id_until_the_instructor_types_one(make_window) -> None:
    window = make_window()
    window.name_edit.setText("")
    window._on_name_edited("Sweep – Forearm (Lee)")
    assert window.id_edit.text() == "sweep-forearm-lee" == slug("Sweep – Forearm (Lee)")
    window._on_id_edited("mine")
    window._on_name_edited("Something else")
    assert window.id_edit.text() == "sweep-forearm-lee"


def test_user_exercises_are_listed_after_the_shipped_ones_and_never_take_their_ids(
    tmp_path: Path, sweep_exercise: Exercise
) -> None:
    from dataclasses import replace

    from trainer.library.exercise import ExerciseError, save_exercise

    folder = tmp_path / "exercises"
    save_exercise(replace(sweep_exercise, id="zz-own", name="Zz own"), folder / "zz-own.json")
    save_exercise(replace(sweep_exercise, name="Impostor"), folder / "copied.json")
    (folder / "broken.json").write_text("{ not json", encoding="utf-8")
    user, problems = load_user_exercises(folder)
    assert [ex.id for ex in user] == ["sweep", "zz-own"]
    assert len(problems) == 1 and "broken.json" in problems[0] and "line 1" in problems[0]
    listed, clashes = merge_exercises([sweep_exercise], user)
    assert [ex.name for ex in listed] == [sweep_exercise.name, "Zz own"]
    assert "copied.json" in clashes[0] and "already taken" in clashes[0]
    assert {"sweep", "scan", "brush"} <= reserved_ids([])
    for bad in ("", "Has Space", "-leading"):
        with pytest.raises(ExerciseError):
            check_new_id(bad, {"sweep"})


@pytest.fixture
def make_main_window(qtbot, tmp_path: Path, sweep_exercise: Exercise, monkeypatch):
    monkeypatch.setattr(main_window_module, "list_port_entries", lambda probe=True: [])
    made: list[MainWindow] = []

    def stop_properly(window: MainWindow) -> None:
        if window.expert is not None:
            _stop_recording(qtbot, window.expert)
        c = window.controller
        if c.phase is Phase.STARTING:
            qtbot.waitUntil(lambda: c.phase is not Phase.STARTING, timeout=15_000)
        if c.phase is Phase.RUNNING:
            with qtbot.waitSignal(c.stopped, timeout=10_000):
                window.view.stop_session()
        elif c.phase is Phase.STOPPING:
            qtbot.waitUntil(lambda: c.phase is Phase.IDLE, timeout=10_000)

    def make() -> MainWindow:
        window = MainWindow(
            [sweep_exercise],
            AppPaths.under(tmp_path),
            autostart=False,
            probe_ports=False,
            sim_speed=8.0,
            sim_seed=3,
        )
        qtbot.addWidget(window, before_close_func=stop_properly)
        made.append(window)
        window.show()
        return window

    yield make
    for window in made:
        for child in (window.expert, window.review):
            if child is not None:
                child.close()
    made.clear()


def test_the_instructor_menu_records_and_the_saved_exercise_is_listed_at_once(
    qtbot, make_main_window, offline_strokes: list[Stroke]
) -> None:
    window = make_main_window()
    assert window.record_expert_action.shortcut().toString() == "Ctrl+E"
    window.record_expert_action.trigger()
    expert = window.expert
    assert expert is not None and expert.isVisible()
    expert.set_draft(DRAFT)
    for stroke in offline_strokes:
        expert.add_stroke(stroke)
    expert.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(expert.exercise_saved, timeout=15_000):
        expert.save()
    picker = window.view.picker
    assert DRAFT.id in [ex.id for ex in picker.exercises]
    assert picker.select_id(DRAFT.id)
    assert "Recorded by J. Lee" in picker.provenance_text()
    assert window.view.stroke_panel.expected_duration_s == pytest.approx(
        expert.saved.envelope.duration_mean_s
    )
    # The next start lists it too: it lives in the user's exercise folder.
    again = make_main_window()
    assert DRAFT.id in [ex.id for ex in again.view.picker.exercises]


def test_recording_an_expert_takes_the_tool_from_training_and_closing_waits_for_the_file(
    qtbot, make_main_window
) -> None:
    window = make_main_window()
    with qtbot.waitSignal(window.controller.started, timeout=15_000):
        window.view.start_session()
    expert = window.open_expert_recording()
    expert.set_draft(DRAFT)
    expert.start_recording()
    # The tool serves one session at a time: training stops first, then the expert records.
    qtbot.waitUntil(lambda: expert.recorder.phase is Phase.RUNNING, timeout=20_000)
    assert window.controller.phase is Phase.IDLE
    qtbot.waitUntil(lambda: len(expert.strokes()) >= 1, timeout=STROKES_TIMEOUT_MS)
    # Closing the application asks before the unsaved demonstration goes, then stops it and
    # closes its recording first.
    asked: list[str] = []
    answer_next_question("Discard", asked)
    with qtbot.waitSignal(expert.recorder.stopped, timeout=10_000) as stopped:
        window.close()
    assert "not saved as an exercise" in asked[0]
    qtbot.waitUntil(lambda: not window.isVisible() and not expert.isVisible())
    recording = read_recording(stopped.args[0])
    assert recording.events[-1]["event"] == "summary"


def test_a_new_demonstration_or_closing_asks_before_discarding_unsaved_strokes(
    qtbot, make_window
) -> None:
    window = make_window(seed=8)
    window.set_draft(DRAFT)
    window.start_recording()
    qtbot.waitUntil(lambda: len(window.strokes()) >= 3, timeout=STROKES_TIMEOUT_MS)
    with qtbot.waitSignal(window.recorder.stopped, timeout=10_000):
        window.stop_recording()
    n = len(window.strokes())
    asked: list[str] = []
    # Cancel: nothing is discarded, no new recording starts.
    answer_next_question("Cancel", asked)
    assert not window.start_recording()
    assert len(window.strokes()) == n and window.recorder.phase is Phase.IDLE
    assert f"The {n} strokes" in asked[0] and "not saved" in asked[0]
    answer_next_question("Cancel", asked)
    assert not window.close()
    assert window.isVisible() and len(window.strokes()) == n
    # Discard: a new demonstration starts.
    answer_next_question("Discard", asked)
    assert window.start_recording()
    assert window.strokes() == []
    qtbot.waitUntil(lambda: window.recorder.phase is Phase.RUNNING, timeout=15_000)


def test_saving_an_exercise_needs_the_instructors_passphrase(
    qtbot, make_window, offline_strokes: list[Stroke], tmp_path: Path
) -> None:
    """Exercises are what students are graded against: a student at the station cannot save
    one without the instructor's passphrase, and a wrong one writes nothing."""
    from trainer.records.repository import Records

    with Records.open(tmp_path / "data" / "records.sqlite") as records:
        records.check_instructor(PASSPHRASE)  # the instructor set it earlier
    window = make_window()
    window.set_draft(DRAFT)
    for stroke in offline_strokes:
        window.add_stroke(stroke)
    folder = user_exercises_dir(AppPaths.under(tmp_path))
    assert not window.save()  # no passphrase typed
    assert "instructor passphrase" in window.banner.text()
    window.passphrase_edit.setText("a student's guess")
    assert window.save()
    qtbot.waitUntil(lambda: window._save_call is None, timeout=15_000)
    assert "Not saved" in window.banner.text() and "passphrase" in window.banner.text()
    assert not folder.exists() or not list(folder.glob("*.json"))
    assert window.passphrase_edit.text() == ""
    window.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(window.exercise_saved, timeout=15_000):
        assert window.save()
    assert [f.name for f in folder.glob("*.json")] == [f"{DRAFT.id}.json"]


def test_ctrl_r_starts_and_stops_the_demonstration_whatever_the_button_says(
    qtbot, make_window
) -> None:
    # The button's label changes with the state ("Stop recording", "Record again"); Ctrl+R
    # used to be the button's own shortcut, which each new label wiped.
    window = make_window()
    window.set_draft(DRAFT)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.recorder.phase is Phase.RUNNING, timeout=15_000)
    assert window.start_button.text() == "■ Stop recording"
    with qtbot.waitSignal(window.recorder.stopped, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.recorder.phase is Phase.IDLE


def test_the_scoring_tab_sets_what_the_exercise_weighs_and_how_far_a_stroke_may_stray(
    qtbot, make_window, tmp_path: Path, offline_strokes: list[Stroke]
) -> None:
    window = make_window()
    window.set_draft(DRAFT)
    form = window.scoring_form
    # The design's weights and tolerances are shown as numbers, not hidden.
    shown = {name: spin.value() for name, spin in form.weight_spins.items()}
    assert shown == {"force": 40, "angle": 30, "tempo": 18, "smoothness": 12, "path": 0}
    assert (form.force_spin.value(), form.angle_spin.value(), form.pace_spin.value()) == (
        25,
        10.0,
        1.5,
    )
    for stroke in offline_strokes[:6]:
        window.add_stroke(stroke)
    _wait_for_build(qtbot, window, 6)

    # Weights all zero cannot make an exercise: said in the banner, on the tab that has them.
    window.form_tabs.setCurrentIndex(0)
    for spin in form.weight_spins.values():
        spin.setValue(0)
    assert "all zero" in form.weights_hint.text()
    window.passphrase_edit.setText(PASSPHRASE)
    assert not window.save()
    assert "weights are all zero" in window.banner.text()
    assert window.form_tabs.currentWidget() is form
    folder = user_exercises_dir(AppPaths.under(tmp_path))
    assert not folder.exists() or not list(folder.glob("*.json"))

    # The instructor's own: force counts more, and a stroke fails from 1.2x their duration.
    for name, value in {"force": 50, "angle": 20, "tempo": 20, "smoothness": 10}.items():
        form.weight_spins[name].setValue(value)
    assert "100 %" in form.weights_hint.text()
    before = window.build
    form.pace_spin.setValue(1.2)
    # The experts' own check is scored again with the new settings, off the GUI thread.
    qtbot.waitUntil(lambda: window.build is not before and window._build_call is None)
    with qtbot.waitSignal(window.exercise_saved, timeout=15_000):
        assert window.save()
    on_disk = load_exercise_file(folder / f"{DRAFT.id}.json")
    assert on_disk.weights.as_mapping() == pytest.approx(
        {"force": 0.5, "angle": 0.2, "tempo": 0.2, "smoothness": 0.1, "path": 0.0}
    )
    assert on_disk.tolerances.duration_ratio == pytest.approx(1.2)
    assert on_disk.tolerances.angle_deg == pytest.approx(10.0)
    assert on_disk.scorer().tolerances == on_disk.tolerances

    # "Defaults" puts the design's back; the pass mark stays the instructor's.
    form.pass_spin.setValue(75)
    form.defaults_button.click()
    draft = window.draft()
    assert draft.weights.is_default and draft.tolerances.is_default
    assert draft.pass_mark == 75.0
