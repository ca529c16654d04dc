"""Guided force calibration with known masses: hang a mass, capture, repeat, fit, apply.

A load cell's raw counts mean nothing until they are tied to newtons; a tool's factory calibration
drifts and a DIY load cell has none. The wizard asks for the unloaded tool and at least one known
mass (three or more show whether the sensor is linear), captures one second of still readings for
each (refused when the tool was moving, by the same test as a tare), and fits a straight line with
``trainer.signals.fit_calibration``, which refuses a fit that is not straight.

While the wizard is open the session's calibration is suspended, so captures are raw readings;
Cancel puts the old one back. The wizard is non-modal: practice data keeps recording meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from trainer.live.session import TrainingSession
from trainer.signals.calibration import Calibration, fit_calibration
from trainer.signals.errors import ConditioningError
from trainer.signals.tare import tare

CAPTURE_S = 1.0


@dataclass(frozen=True)
class Capture:
    mass_kg: float
    raw: float


def capture_still_reading(session: TrainingSession, seconds: float = CAPTURE_S) -> float:
    """The mean raw force reading over the newest ``seconds``, refused if the tool moved.

    Raw: the session's calibration is suspended while the wizard runs, and its tare offset is
    added back, so the figure is what the sensor itself reported.
    """
    display = session.display
    channels = session.channels
    if display is None or not channels or "force_n" not in channels:
        raise ConditioningError("no force readings yet: is the tool connected?")
    t, v = display.latest()
    if len(t) == 0:
        raise ConditioningError("no force readings yet: is the tool connected?")
    keep = t >= t[-1] - seconds
    force = v[keep, channels.index("force_n")] + session.tare_offset_n
    # Loose limits: a hanging mass sways a little, but a hand on the tool is refused.
    result = tare(force, t[keep], min_duration_s=seconds * 0.9, max_sd_n=2.0, max_drift_n_per_s=2.0)
    return float(result.offset_n)


class CalibrationWizard(QDialog):
    """Non-modal; emits ``applied(calibration)`` when the user applies a fit."""

    applied = Signal(object)  # Calibration

    def __init__(self, session: TrainingSession, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calibrate the force with known masses")
        self.setModal(False)
        self.session = session
        self._previous: Calibration | None = session.calibration
        self.captures: list[Capture] = []
        self.fit: Calibration | None = None
        session.set_calibration(None)

        big = QFont()
        big.setPointSize(15)
        self.instructions = QLabel()
        self.instructions.setWordWrap(True)
        self.instructions.setFont(big)
        self.mass = QDoubleSpinBox()
        self.mass.setDecimals(3)
        self.mass.setRange(0.0, 50.0)
        self.mass.setSingleStep(0.1)
        self.mass.setSuffix(" kg")
        self.capture_button = QPushButton("Capture")
        self.capture_button.setToolTip("Average one second of readings with the mass hanging still")
        self.list = QListWidget()
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.fit_button = QPushButton("Fit")
        self.apply_button = QPushButton("Apply")
        self.cancel_button = QPushButton("Cancel")
        self.apply_button.setEnabled(False)
        self.fit_button.setEnabled(False)

        row = QHBoxLayout()
        row.addWidget(QLabel("Mass on the tool"))
        row.addWidget(self.mass)
        row.addWidget(self.capture_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.instructions)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.capture_button.clicked.connect(self.capture)
        self.fit_button.clicked.connect(self.fit_line)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)
        self._prompt()
        self.resize(560, 480)

    def _prompt(self) -> None:
        if not self.captures:
            text = (
                "1. Hold the tool still with nothing on it, set the mass to 0 kg and press Capture."
            )
        else:
            text = (
                f"{len(self.captures) + 1}. Hang a known mass on the tool (press it the way "
                "a stroke would), enter its mass and press Capture. Three or more masses "
                "show whether the sensor is linear; press Fit when done."
            )
        self.instructions.setText(text)

    def capture(self) -> bool:
        mass = float(self.mass.value())
        try:
            raw = capture_still_reading(self.session)
        except ConditioningError as exc:
            self.result.setText(f"Not captured: {exc}")
            return False
        self.captures.append(Capture(mass, raw))
        self.list.addItem(f"{mass:g} kg  →  raw reading {raw:.4g}")
        self.result.setText("")
        self.fit_button.setEnabled(len({c.mass_kg for c in self.captures}) >= 2)
        self._prompt()
        return True

    def add_capture(self, mass_kg: float, raw: float) -> None:
        """A reading taken elsewhere (a known rig, a test)."""
        self.captures.append(Capture(mass_kg, raw))
        self.list.addItem(f"{mass_kg:g} kg  →  raw reading {raw:.4g}")
        self.fit_button.setEnabled(len({c.mass_kg for c in self.captures}) >= 2)

    def fit_line(self) -> Calibration | None:
        info = self.session.source.info
        try:
            cal = fit_calibration(
                [c.raw for c in self.captures],
                [c.mass_kg for c in self.captures],
                device_serial=info.serial if info is not None else "",
            )
        except ConditioningError as exc:
            self.fit = None
            self.apply_button.setEnabled(False)
            self.result.setText(f"No fit: {exc}")
            return None
        self.fit = cal
        worst = float(np.max(np.abs(cal.residuals))) if cal.residuals else 0.0
        self.result.setText(
            f"force = {cal.gain:.5g} × reading {cal.offset:+.4g} N;  r² = {cal.r_squared:.5f}, "
            f"worst point off by {worst:.3f} N. Apply it, then tare (T) with the tool unloaded."
        )
        self.apply_button.setEnabled(True)
        return cal

    def apply(self) -> None:
        if self.fit is None or not self.session.running:
            return
        self.session.set_calibration(self.fit)
        self._previous = self.fit
        self.applied.emit(self.fit)
        self.accept()

    def reject(self) -> None:
        if self.session.running:  # a stopped session's recording is closed: nothing to restore
            self.session.set_calibration(self._previous)
        super().reject()
