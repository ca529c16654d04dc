"""The training screen as the tests open it: a real session controller, recording to a folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trainer.library.exercise import Exercise
from trainer.live.connection import DeviceChoice
from trainer.live.feedback import Schedule
from ui.training.session_controller import Phase, SessionController
from ui.training.training_view import TrainingView

SIM_EXPERT = DeviceChoice("sim", skill="expert", speed=8.0)


@pytest.fixture
def make_view(
    qtbot, tmp_path: Path, sweep_exercise: Exercise
) -> Iterator[Callable[..., TrainingView]]:
    made: list[TrainingView] = []  # strong references: pytest-qt holds only weak ones

    def stop_properly(view: TrainingView) -> None:
        # Before pytest-qt closes the view: every session stopped, its recording closed.
        if view.controller.phase is Phase.RUNNING:
            with qtbot.waitSignal(view.controller.stopped, timeout=10_000):
                view.stop_session()
        elif view.controller.phase in (Phase.STOPPING, Phase.STARTING):
            qtbot.waitUntil(lambda: view.controller.phase is not Phase.STOPPING, timeout=10_000)
            if view.controller.phase is Phase.RUNNING:
                stop_properly(view)

    def make(
        schedule: Schedule = Schedule.CONCURRENT,
        device: DeviceChoice = SIM_EXPERT,
        source_factory=None,
    ) -> TrainingView:
        kwargs = {"source_factory": source_factory} if source_factory else {}
        controller = SessionController(tmp_path / "sessions", **kwargs)
        view = TrainingView([sweep_exercise], controller, device=device, schedule=schedule)
        controller.setParent(view)
        qtbot.addWidget(view, before_close_func=stop_properly)
        view.resize(1400, 900)
        view.show()
        made.append(view)
        return view

    yield make
    made.clear()
