"""How an exercise scores, as the instructor sets it: the pass mark, the weight of each sub-score
and how far a stroke may stray before it fails.

The design's values are the defaults and are shown as numbers, not hidden: an instructor grading
with the score should see what it weighs (force 40 %, angle 30 %, tempo 18 %, smoothness 12 %) and
be able to change it for an exercise, and how far a trainee may stray in pace or angle is a
teaching decision (``trainer.scoring.tolerances``). The tolerances are the least ones: where the
instructor's own strokes vary more, the score widens them to 4 of their SDs, which the form says.

The form only holds values; the window puts them into the exercise draft, whose envelope preview
and leave-one-out check are rebuilt with them (``changed``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer.scoring.tolerances import ScoringTolerances
from trainer.scoring.weights import ScoringError, ScoringWeights

#: The weights the form shows, in this order, with their labels.
_WEIGHTS = (
    ("force", "Force"),
    ("angle", "Angle"),
    ("tempo", "Tempo"),
    ("smoothness", "Smoothness"),
    ("path", "Path (plate)"),
)


def _percent_spin(maximum: int = 100) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSuffix(" %")
    return spin


class ScoringForm(QWidget):
    """Pass mark, weights and tolerances of the exercise being made; ``changed`` on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pass_spin = QDoubleSpinBox()
        self.pass_spin.setRange(0.0, 100.0)
        self.pass_spin.setDecimals(0)
        self.pass_spin.setValue(70.0)
        self.pass_spin.setToolTip(
            "No force-based pass mark is published for IASTM: the pass mark is yours to set"
        )

        self.weight_spins: dict[str, QSpinBox] = {}
        for name, label in _WEIGHTS:
            spin = _percent_spin()
            spin.setAccessibleName(f"{label} weight")
            spin.setToolTip(f"The share of {label.lower()} in a stroke's score")
            self.weight_spins[name] = spin
        self.weight_spins["path"].setToolTip(
            "Where the stroke went on a force plate. With the weights as the design sets them, a "
            "plate exercise scores force 45 %, tempo 20 %, smoothness 10 % and path 25 %"
        )
        self.weights_hint = QLabel("")
        self.weights_hint.setWordWrap(True)

        self.force_spin = _percent_spin()
        self.force_spin.setRange(1, 100)
        self.force_spin.setPrefix("± ")
        self.force_spin.setSuffix(" %")
        self.force_spin.setToolTip(
            "Force accuracy reaches zero this far from your mean force, as a share of your peak "
            "force (or 3 of your SDs at that point of the stroke, if wider)"
        )
        self.angle_spin = QDoubleSpinBox()
        self.angle_spin.setRange(1.0, 45.0)
        self.angle_spin.setDecimals(1)
        self.angle_spin.setPrefix("± ")
        self.angle_spin.setSuffix("°")
        self.angle_spin.setToolTip("Angle accuracy reaches zero this far from your mean angle")
        self.pace_spin = QDoubleSpinBox()
        self.pace_spin.setRange(1.05, 4.0)
        self.pace_spin.setDecimals(2)
        self.pace_spin.setSingleStep(0.05)
        self.pace_spin.setPrefix("× ")
        self.pace_spin.setToolTip(
            "A stroke this many times as long as yours, or as short (1.5: from 0.67x to 1.5x), "
            "fails: tempo is zero there"
        )
        self.peak_spin = _percent_spin()
        self.peak_spin.setRange(1, 100)
        self.peak_spin.setPrefix("± ")
        self.peak_spin.setSuffix(" %")
        self.peak_spin.setToolTip("The peak force this much earlier or later than yours fails")
        self._smoothness = ScoringTolerances().smoothness_deficit_frac
        self.defaults_button = QPushButton("Defaults")
        self.defaults_button.setToolTip(
            "The design's weights (40/30/18/12) and tolerances (25 % of the peak, 10°, × 1.5 and "
            "20 %); the pass mark stays"
        )

        # One table, a sub-score a row: its weight beside how far a stroke may stray on it. Ten
        # rows at most: the page shares the window's left column with the demonstration on a
        # 1280x720 screen.
        layout = QVBoxLayout(self)
        mark_row = QHBoxLayout()
        mark_label = QLabel("Pass mark")
        mark_label.setBuddy(self.pass_spin)
        mark_row.addWidget(mark_label)
        mark_row.addWidget(self.pass_spin, 1)
        mark_row.addWidget(self.defaults_button)
        layout.addLayout(mark_row)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("<b>Weight</b>"), 0, 1)
        fails = QLabel("<b>Fails beyond</b>")
        fails.setToolTip(
            "Where your own strokes vary more than this, a stroke is allowed 4 of your standard "
            "deviations: nobody is marked down for varying as much as you do"
        )
        grid.addWidget(fails, 0, 2)
        beside = {"force": self.force_spin, "angle": self.angle_spin, "tempo": self.pace_spin}
        row = 1
        for name, label in _WEIGHTS:
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(self.weight_spins[name], row, 1)
            if name in beside:
                grid.addWidget(beside[name], row, 2)
            row += 1
            if name == "tempo":  # tempo's other half: when the peak comes
                grid.addWidget(QLabel("  peak timing"), row, 0)
                grid.addWidget(self.peak_spin, row, 2)
                row += 1
        grid.setColumnStretch(2, 1)
        # Spin boxes may be narrower than their roomy size hint: the column is 356 px at 720p.
        for spin in (*self.weight_spins.values(), *beside.values(), self.peak_spin):
            spin.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout.addLayout(grid)
        note = QLabel(
            "Force in % of your peak, timing in % of the stroke, duration as times yours; "
            "wider where you vary more (4 SDs)."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.weights_hint)
        layout.addStretch(1)

        self._spins = (
            self.pass_spin,
            *self.weight_spins.values(),
            self.force_spin,
            self.angle_spin,
            self.pace_spin,
            self.peak_spin,
        )
        self.set_values(70.0, ScoringWeights(), ScoringTolerances())
        for spin in self._spins:
            spin.valueChanged.connect(self._on_edit)
        self.defaults_button.clicked.connect(self.reset)

    # -- values ------------------------------------------------------------------------------------
    def set_values(
        self, pass_mark: float, weights: ScoringWeights, tolerances: ScoringTolerances
    ) -> None:
        """Show these values (an exercise started from an old one, or the defaults)."""
        for spin in self._spins:
            spin.blockSignals(True)
        try:
            self.pass_spin.setValue(pass_mark)
            for name, value in weights.as_mapping().items():
                self.weight_spins[name].setValue(round(100 * value))
            self.force_spin.setValue(round(100 * tolerances.force_frac_of_peak))
            self.angle_spin.setValue(tolerances.angle_deg)
            self.pace_spin.setValue(tolerances.duration_ratio)
            self.peak_spin.setValue(round(100 * tolerances.peak_shift_frac))
            self._smoothness = tolerances.smoothness_deficit_frac
        finally:
            for spin in self._spins:
                spin.blockSignals(False)
        self._show_hint()
        self.changed.emit()

    def reset(self) -> None:
        """The design's weights and tolerances (the pass mark stays the instructor's)."""
        self.set_values(self.pass_spin.value(), ScoringWeights(), ScoringTolerances())

    def pass_mark(self) -> float:
        return float(self.pass_spin.value())

    def weights(self) -> ScoringWeights:
        """The weights as set; ``ScoringError`` when they are all zero."""
        return ScoringWeights(**{n: float(s.value()) for n, s in self.weight_spins.items()})

    def tolerances(self) -> ScoringTolerances:
        return ScoringTolerances(
            force_frac_of_peak=self.force_spin.value() / 100.0,
            angle_deg=float(self.angle_spin.value()),
            duration_ratio=float(self.pace_spin.value()),
            peak_shift_frac=self.peak_spin.value() / 100.0,
            smoothness_deficit_frac=self._smoothness,
        )

    def problem(self) -> str | None:
        """Why these settings cannot make an exercise, in a sentence; None when they can."""
        try:
            self.weights()
        except ScoringError:
            return "Cannot save: the weights are all zero; give force, tempo or another a share."
        return None

    # -- display -----------------------------------------------------------------------------------
    def _on_edit(self) -> None:
        self._show_hint()
        self.changed.emit()

    def _show_hint(self) -> None:
        total = sum(s.value() for s in self.weight_spins.values())
        if total == 0:
            text = "✗ The weights are all zero: give at least one sub-score a weight."
        elif total == 100:
            text = "The weights make 100 %."
        else:
            text = f"The weights make {total} %: each is scaled so that they make 100 %."
        self.weights_hint.setText(text)
