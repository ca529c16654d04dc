"""The stroke plots: force and angle of one stroke against the expert corridor, with a caption.

Three things can be on show, and the caption always says which: the stroke in progress (growing
as it happens), the last finished stroke (its normalised curves, kept until the next stroke
starts), or a stroke picked from the list. When the feedback schedule holds a stroke back, the
plots show the corridor alone with a line saying why, so an empty plot is never a mystery.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from trainer.library.exercise import Exercise
from ui.plots.corridor import angle_corridor, force_corridor, stroke_x_pct
from ui.plots.corridor_plot import CorridorPlot
from ui.strokes.stroke_rows import StrokeRow
from ui.theme import LIGHT, Theme


class StrokePanel(QWidget):
    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self.force_plot = CorridorPlot("force (N)", "N", theme, legend=True)
        self.angle_plot = CorridorPlot("angle (°)", "°", theme)
        self._caption = QLabel("")
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        self._caption.setFont(font)
        # A long caption wraps within the plots' width instead of widening the window.
        self._caption.setWordWrap(True)
        self._caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.expected_duration_s: float | None = None
        self.shown: StrokeRow | None = None
        #: Newest sample time of the stroke in progress on show (None when none is): display lag.
        self.live_until_s: float | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._caption)
        layout.addWidget(self.force_plot, 1)
        layout.addWidget(self.angle_plot, 1)

    def apply_theme(self, theme: Theme) -> None:
        self.force_plot.apply_theme(theme)
        self.angle_plot.apply_theme(theme)

    def set_exercise(self, exercise: Exercise | None) -> None:
        if exercise is None:
            self.force_plot.set_corridor(None)
            self.angle_plot.set_corridor(None)
            self.expected_duration_s = None
        else:
            env = exercise.envelope
            self.force_plot.set_corridor(force_corridor(env))
            self.angle_plot.set_corridor(angle_corridor(env))
            self.expected_duration_s = float(env.duration_mean_s)
            if not env.has_angle:
                self.angle_plot.set_message("This exercise has no angle band.")
        self.clear("")

    def clear(self, message: str | None = None, caption: str = "") -> None:
        """Nothing but the corridor; ``message`` over the force plot says why."""
        self.shown = None
        self.live_until_s = None
        self.force_plot.clear_stroke()
        self.angle_plot.clear_stroke()
        self.force_plot.set_message(message)
        self.angle_plot.set_message(None)
        self._caption.setText(caption)

    def show_live(
        self,
        t_s: np.ndarray,
        force_n: np.ndarray,
        angle_deg: np.ndarray | None,
        stroke_start_s: float,
        number: int,
    ) -> None:
        """The stroke in progress, from its start to the newest sample."""
        if self.expected_duration_s is None or self.expected_duration_s <= 0 or len(t_s) == 0:
            return
        self.shown = None
        self.live_until_s = float(t_s[-1])
        x = stroke_x_pct(t_s, stroke_start_s, self.expected_duration_s)
        self.force_plot.set_message(None)
        self.force_plot.show_stroke(x, force_n)
        if angle_deg is not None and self.angle_plot.corridor is not None:
            self.angle_plot.show_stroke(x, angle_deg)
        self._caption.setText(f"Stroke {number}: in progress ({x[-1]:.0f} % of the expert's time)")

    def show_row(self, row: StrokeRow, caption: str | None = None) -> None:
        """A finished stroke's normalised curves (0 to 100 % of its own duration)."""
        self.shown = row
        self.live_until_s = None
        self.force_plot.set_message(None)
        if row.force_curve_n is not None:
            self.force_plot.show_normalised(row.force_curve_n)
        else:
            self.force_plot.clear_stroke()
        if row.angle_curve_deg is not None and self.angle_plot.corridor is not None:
            self.angle_plot.show_normalised(row.angle_curve_deg)
        else:
            self.angle_plot.clear_stroke()
        if caption is None:
            caption = f"Stroke {row.number}: {row.duration_s:.2f} s"
            if self.expected_duration_s:
                caption += f" (expert {self.expected_duration_s:.2f} s)"
            caption += ", shown over its own duration"
        self._caption.setText(caption)

    def caption(self) -> str:
        return self._caption.text()
