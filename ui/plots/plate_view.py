"""The plate view: where the stroke goes on a force plate, against where the experts' strokes went.

A force plate gives no tool angle, so on the training screen this view takes the angle read-out's
place. Seen from above, it shows:

- the plate's outline (400 x 300 mm centred at 0, 0 unless the device's info line says
  ``plate_mm: [width, depth]`` or a home-made plate's profile gives its size), with a grid
  every 50 mm;
- the experts' path corridor (``envelope.path``), laid from the current stroke's first loaded
  point. For a straight stroke it is a wedge along the experts' mean direction, as wide as the
  direction tolerance the score allows without losing marks (at least 2 of the experts' SDs, 10
  degrees at the least), out to the longest length allowed, with the zone where the stroke should
  end (the length tolerance: at least 2 SDs, 15 % at the least) hatched more densely; the experts'
  mean stroke is a dashed line. For a curved stroke (a fan, a J-stroke) it is the band between two
  arcs of the experts' mean length and chord direction that turn as little and as much as the
  tolerance allows (experts' turning ± at least 2 SDs, 10 degrees at the least), with the mean arc
  dashed. The spread of the curved strokes' direction is not drawn: a simplification;
- the current stroke's centre of pressure (CoP) growing live from the stroke's true onset, solid
  and thick, its start a ring and its newest point a dot;
- the last few strokes, thin, dashed and fainter the older they are.

The CoP of samples under 1.5 N (``trainer.strokes.path.masked_cop``) is not drawn: it means
nothing there. Nothing is told apart by colour alone: line style and thickness differ too, and a
legend under the plate says what each is. What does not move (plate, grid, corridor, the faded
strokes, the legend) is drawn once into a picture; a frame adds one polyline.

Shows what it is given; it never reads a session.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF

from trainer.scoring.path_score import (
    DIRECTION_FLOORS_DEG,
    LENGTH_FLOORS,
    TURN_FLOORS_DEG,
    PathEnvelope,
)
from trainer.strokes.path import DEFAULT_MIN_FORCE_N, masked_cop
from trainer.strokes.stroke import Stroke
from ui.plots.plot_painting import PaintedPlot, polygon
from ui.theme import LIGHT, Theme, figure_font

#: The plate's size when the device does not say (mm): the simulated plate's.
DEFAULT_PLATE_MM = (400.0, 300.0)
#: Finished strokes kept on the plate, faded.
FADED_STROKES = 4
GRID_MM = 50.0
#: The tolerances drawn are the score's inner ones: this many of the experts' SDs, or the floor.
INNER_SDS = 2.0
#: At most this many points of the current stroke are drawn (a long stroke at 1 kHz is thinned:
#: a few points a pixel at the plate's scale). A 1.5 s fan at 1 kHz painted in 0.56 ms a frame
#: (median, offscreen, 280 x 420 px) with 400 points, 0.98 ms with 1500.
MAX_POINTS = 400
_MARGIN_PX = 10.0
LEGEND_FONT_PT = 10
TITLE_FONT_PT = 12
MESSAGE_FONT_PT = 15


def plate_size_from_info(raw: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """``plate_mm: [width, depth]`` from a device's info line, or None when it says none (or
    something that is not two positive sizes)."""
    value = (raw or {}).get("plate_mm")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    try:
        w, h = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
        return None
    return w, h


def plate_size_from_metadata(metadata: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """The plate's outline from a recording's ``plate`` metadata (a home-made plate's profile,
    ``width_mm`` and ``depth_mm``, as JSON or a dict), or None."""
    value = (metadata or {}).get("plate")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, Mapping):
        return None
    return plate_size_from_info({"plate_mm": [value.get("width_mm"), value.get("depth_mm")]})


def corridor_outline(
    env: PathEnvelope, start_mm: tuple[float, float], points: int = 48
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray | None]:
    """The corridor from ``start_mm``, in plate mm: (the shapes whose union it is, the mean
    path, the end zone or None).

    Each shape is an array of (x, y) rows. A curved corridor is the band between the two arcs
    turned about the start point through the direction tolerance.
    """
    x0, y0 = start_mm
    length = env.length_mean_mm
    direction = math.radians(env.direction_mean_deg)
    dir_tol = math.radians(max(INNER_SDS * env.direction_sd_deg, DIRECTION_FLOORS_DEG[0]))
    if env.curved:
        tol = math.radians(max(INNER_SDS * env.turn_sd_deg, TURN_FLOORS_DEG[0]))
        turn = math.radians(env.turn_mean_deg)
        # Its sides: the arc that bulges most to the right turned clockwise through the
        # direction tolerance, and the one that bulges most to the left turned anticlockwise;
        # its far end joins their ends around the start point.
        right = _rotated(_arc(x0, y0, length, direction, turn + tol, points), -dir_tol, x0, y0)
        left = _rotated(_arc(x0, y0, length, direction, turn - tol, points), dir_tol, x0, y0)
        r0 = math.hypot(right[-1, 0] - x0, right[-1, 1] - y0)
        r1 = math.hypot(left[-1, 0] - x0, left[-1, 1] - y0)
        a0 = math.atan2(right[-1, 1] - y0, right[-1, 0] - x0)
        a1 = (
            a0
            + (math.atan2(left[-1, 1] - y0, left[-1, 0] - x0) - a0 + math.pi) % (2 * math.pi)
            - math.pi
        )
        f = np.linspace(0.0, 1.0, points)
        radius, angle = r0 + (r1 - r0) * f, a0 + (a1 - a0) * f
        cap = np.column_stack((x0 + radius * np.cos(angle), y0 + radius * np.sin(angle)))
        bands = [np.vstack((right, cap, left[::-1]))]
        return bands, _arc(x0, y0, length, direction, turn, points), None
    len_tol = max(INNER_SDS * env.length_log_sd, LENGTH_FLOORS[0])
    shortest, longest = length * math.exp(-len_tol), length * math.exp(len_tol)
    angles = np.linspace(direction - dir_tol, direction + dir_tol, points)
    far = np.column_stack((x0 + longest * np.cos(angles), y0 + longest * np.sin(angles)))
    near = np.column_stack((x0 + shortest * np.cos(angles), y0 + shortest * np.sin(angles)))
    outline = [np.vstack(([[x0, y0]], far))]
    end_zone = np.vstack((near, far[::-1]))
    mean = np.array(
        [[x0, y0], [x0 + length * math.cos(direction), y0 + length * math.sin(direction)]]
    )
    return outline, mean, end_zone


def _arc(
    x0: float, y0: float, length: float, chord_dir: float, turn: float, points: int
) -> np.ndarray:
    """A circular arc of ``length`` from (x0, y0) turning ``turn`` radians, whose chord points
    along ``chord_dir``: it sets off at ``chord_dir - turn / 2`` and turns evenly."""
    s = np.linspace(0.0, 1.0, points)
    heading0 = chord_dir - turn / 2
    if abs(turn) < 1e-6:
        return np.column_stack(
            (x0 + length * s * math.cos(chord_dir), y0 + length * s * math.sin(chord_dir))
        )
    radius = length / turn  # signed: anticlockwise positive
    heading = heading0 + turn * s
    return np.column_stack(
        (
            x0 + radius * (np.sin(heading) - math.sin(heading0)),
            y0 - radius * (np.cos(heading) - math.cos(heading0)),
        )
    )


def _rotated(xy: np.ndarray, angle: float, x0: float, y0: float) -> np.ndarray:
    """Points turned through ``angle`` radians (anticlockwise) about (x0, y0)."""
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = xy[:, 0] - x0, xy[:, 1] - y0
    return np.column_stack((x0 + c * dx - s * dy, y0 + s * dx + c * dy))


def _runs(x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stretches of finite points (a masked sample breaks the line: nothing is made up)."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return []
    edges = np.flatnonzero(np.diff(ok.astype(np.int8))) + 1
    bounds = np.concatenate(([0], edges, [len(ok)]))
    return [(x[a:b], y[a:b]) for a, b in itertools.pairwise(bounds) if ok[a] and b > a]


class PlateView(PaintedPlot):
    """The plate from above: outline, the experts' corridor, this stroke live, the last ones."""

    def __init__(self, theme: Theme = LIGHT, min_force_n: float = DEFAULT_MIN_FORCE_N) -> None:
        super().__init__(theme, self._draw_static, minimum=QSize(240, 300), hint=QSize(300, 340))
        self.setObjectName("plateView")
        self.setAccessibleName("Plate view: the stroke's path on the force plate")
        self.min_force_n = min_force_n
        self.plate_mm = DEFAULT_PLATE_MM
        self._envelope: PathEnvelope | None = None
        self._start_s: float | None = None
        self._last_t_s: float | None = None  # the newest sample of the stroke drawn
        self._finished = False  # a finished stroke shown whole (review), not one growing
        self._anchor: tuple[float, float] | None = None  # the current stroke's first loaded CoP
        self._current: tuple[np.ndarray, np.ndarray] | None = None  # masked CoP (NaN below)
        self._faded: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=FADED_STROKES)
        self._masked = False
        self._message = ""
        self._legend_font = figure_font(LEGEND_FONT_PT, bold=False)
        self._title_font = figure_font(TITLE_FONT_PT)
        self._message_font = figure_font(MESSAGE_FONT_PT)
        self._describe()

    # -- what is shown -----------------------------------------------------------------------------
    def set_plate(self, width_mm: float, depth_mm: float) -> None:
        if (width_mm, depth_mm) != self.plate_mm:
            self.plate_mm = (float(width_mm), float(depth_mm))
            self._invalidate_static()
            self._describe()

    def set_plate_from_info(self, raw: Mapping[str, Any] | None) -> None:
        """The plate's size from a device's info line (``info.raw``), else the default."""
        self.set_plate(*(plate_size_from_info(raw) or DEFAULT_PLATE_MM))

    def set_plate_from_metadata(self, metadata: Mapping[str, Any] | None) -> None:
        """The plate's size from a recording's metadata (its plate profile), else the default."""
        self.set_plate(*(plate_size_from_metadata(metadata) or DEFAULT_PLATE_MM))

    def set_envelope(self, envelope: PathEnvelope | None) -> None:
        """The experts' path (an exercise's ``envelope.path``); None: no corridor."""
        self._envelope = envelope
        self._invalidate_static()
        self._describe()

    @property
    def envelope(self) -> PathEnvelope | None:
        return self._envelope

    def show_live(
        self,
        t_s: np.ndarray,
        force_n: np.ndarray,
        cop_x_mm: np.ndarray,
        cop_y_mm: np.ndarray,
        stroke_start_s: float,
    ) -> None:
        """The stroke in progress, from its onset (``stroke_start_s``) to the newest sample;
        ``force_n`` with the baseline removed. A new onset moves the last stroke to the faded."""
        self._finished = False
        if stroke_start_s != self._start_s:
            # The segmenter may move a stroke's onset while it goes on: a start before the
            # newest sample drawn is the same stroke, refined; a later one is the next stroke.
            if self._last_t_s is None or stroke_start_s > self._last_t_s:
                self._finish_current()
            self._start_s = stroke_start_s
        if len(t_s):
            self._last_t_s = float(t_s[-1])
        x, y = masked_cop(force_n, cop_x_mm, cop_y_mm, self.min_force_n)
        if len(x) > MAX_POINTS:
            step = math.ceil(len(x) / MAX_POINTS)
            x, y = np.append(x[::step], x[-1]), np.append(y[::step], y[-1])
        self._current = (x, y)
        first = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if len(first):
            anchor = (float(x[first[0]]), float(y[first[0]]))
            old = self._anchor
            if old is None or math.hypot(anchor[0] - old[0], anchor[1] - old[1]) > 0.5:
                self._anchor = anchor
                self._invalidate_static()  # the corridor is laid from here
        self._describe()
        self.update()

    def show_strokes(self, stroke: Stroke, earlier: Sequence[Stroke] = ()) -> None:
        """A finished stroke (review, an expert's list) with the ones before it faded: each
        stroke's own CoP, masked where its force (baseline removed) is under the threshold."""
        self._faded.clear()
        for s in list(earlier)[-FADED_STROKES:]:
            if s.has_cop:
                self._faded.append(masked_cop(s.force_n, s.cop_x_mm, s.cop_y_mm, self.min_force_n))
        self._current, self._anchor, self._start_s = None, None, None
        self._last_t_s = None
        if stroke.has_cop:
            self.show_live(
                stroke.t_s, stroke.force_n, stroke.cop_x_mm, stroke.cop_y_mm, stroke.start_s
            )
        self._finished = True
        self._describe()
        self._invalidate_static()

    def _finish_current(self) -> None:
        if self._current is not None and np.isfinite(self._current[0]).any():
            self._faded.append(self._current)
            self._static.invalidate()
        self._current = None
        self._anchor = None
        self._start_s = None

    def reset(self) -> None:
        """Nothing drawn but the plate and no corridor anchor: a new session."""
        self._last_t_s = None
        self._current = None
        self._anchor = None
        self._start_s = None
        self._faded.clear()
        self._invalidate_static()
        self._describe()

    def set_masked(self, text: str | None) -> None:
        """Hide every path behind a message (a schedule without live feedback)."""
        masked, message = bool(text), text or ""
        if (masked, message) == (self._masked, self._message):
            return
        self._masked, self._message = masked, message
        self._invalidate_static()
        self._describe()

    @property
    def masked(self) -> bool:
        return self._masked

    def current_path(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The current stroke's CoP as drawn (mm, NaN where masked)."""
        return self._current

    def faded_count(self) -> int:
        return len(self._faded)

    def anchor_mm(self) -> tuple[float, float] | None:
        return self._anchor

    def legend_lines(self) -> list[str]:
        """The legend under the plate, in words."""
        lines = [
            f"━ this stroke: ○ start, ● {'end' if self._finished else 'now'}",
            f"┄ last {FADED_STROKES} strokes (older: fainter)",
        ]
        env = self._envelope
        if env is None:
            lines.append("no experts' path in this exercise")
        elif env.curved:
            tol = max(INNER_SDS * env.turn_sd_deg, TURN_FLOORS_DEG[0])
            lines.append(
                f"▨ experts: {env.length_mean_mm:.0f} mm turning "
                f"{env.turn_mean_deg:+.0f}±{tol:.0f}°"
            )
        else:
            tol = max(INNER_SDS * env.direction_sd_deg, DIRECTION_FLOORS_DEG[0])
            lines.append(
                f"▨ experts: {env.length_mean_mm:.0f} mm at "
                f"{env.direction_mean_deg:.0f}±{tol:.0f}°, ending in the cross-hatched zone"
            )
        lines.append(f"CoP under {self.min_force_n:g} N not drawn")
        return lines

    def _describe(self) -> None:
        """The accessible description: what a screen reader should say is on the plate."""
        parts = [f"Plate {self.plate_mm[0]:.0f} by {self.plate_mm[1]:.0f} mm."]
        if self._masked:
            parts.append(self._message)
        else:
            parts.extend(self.legend_lines())
        self.setAccessibleDescription(" ".join(parts))

    # -- geometry ----------------------------------------------------------------------------------
    def _legend_rects(self, top: float) -> list[QRectF]:
        """Where each legend line goes from ``top``: a long line wraps in a narrow column."""
        metrics = QFontMetrics(self._legend_font)
        width = max(int(self.width() - 2 * _MARGIN_PX), 40)
        rects = []
        for line in self.legend_lines():
            box = metrics.boundingRect(0, 0, width, 1000, Qt.TextFlag.TextWordWrap, line)
            rects.append(QRectF(_MARGIN_PX, top, width, box.height()))
            top += box.height()
        return rects

    def _legend_height(self) -> float:
        rects = self._legend_rects(0.0)
        return (rects[-1].bottom() if rects else 0.0) + 6

    def _plate_rect(self) -> QRectF:
        """Where the plate is drawn: as large as fits above the legend, true to its proportions."""
        title_h = QFontMetrics(self._title_font).height() + 4
        avail_w = max(self.width() - 2 * _MARGIN_PX, 10.0)
        avail_h = max(self.height() - 2 * _MARGIN_PX - title_h - self._legend_height(), 10.0)
        w_mm, h_mm = self.plate_mm
        scale = min(avail_w / w_mm, avail_h / h_mm)
        w, h = w_mm * scale, h_mm * scale
        return QRectF((self.width() - w) / 2, _MARGIN_PX + title_h, w, h)

    def to_px(self, x_mm: np.ndarray, y_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Plate mm (centre 0, 0; +y away from the trainee) to pixels (+y up the screen)."""
        rect = self._plate_rect()
        scale = rect.width() / self.plate_mm[0]
        cx, cy = rect.center().x(), rect.center().y()
        return cx + np.asarray(x_mm) * scale, cy - np.asarray(y_mm) * scale

    def _points(self, xy: np.ndarray) -> QPolygonF:
        px, py = self.to_px(xy[:, 0], xy[:, 1])
        return polygon(px, py)

    # -- painting ----------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        self._static.paint(self, p)
        if not self._masked and self._current is not None:
            th = self._theme
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setClipRect(self._plate_rect())
            x, y = self._current
            pen = QPen(QColor(th.trace), 3)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            runs = _runs(x, y)
            for rx, ry in runs:
                if len(rx) > 1:
                    p.drawPolyline(polygon(*self.to_px(rx, ry)))
            if runs:
                lx, ly = self.to_px(runs[-1][0][-1:], runs[-1][1][-1:])
                p.setPen(QPen(QColor(th.background), 1.5))
                p.setBrush(QBrush(QColor(th.trace)))
                p.drawEllipse(QPointF(float(lx[0]), float(ly[0])), 6.0, 6.0)
        p.end()

    def _draw_static(self, p: QPainter) -> None:
        th = self._theme
        p.fillRect(self.rect(), QColor(th.panel))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self._plate_rect()
        fg = QColor(th.foreground)
        # Title
        p.setFont(self._title_font)
        p.setPen(fg)
        title = f"Plate {self.plate_mm[0]:.0f} × {self.plate_mm[1]:.0f} mm"
        p.drawText(
            QRectF(0, _MARGIN_PX, self.width(), rect.top() - _MARGIN_PX),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            QFontMetrics(self._title_font).elidedText(
                title, Qt.TextElideMode.ElideRight, int(self.width() - 2 * _MARGIN_PX)
            ),
        )
        # Plate and grid
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor(th.background)))
        p.drawRect(rect)
        grid = QColor(th.foreground)
        grid.setAlphaF(th.grid_alpha * 0.6)
        p.setPen(QPen(grid, 1))
        w_mm, h_mm = self.plate_mm
        for k in range(-int(w_mm / 2 // GRID_MM), int(w_mm / 2 // GRID_MM) + 1):
            x, _ = self.to_px(np.array([k * GRID_MM]), np.array([0.0]))
            p.drawLine(QPointF(x[0], rect.top()), QPointF(x[0], rect.bottom()))
        for k in range(-int(h_mm / 2 // GRID_MM), int(h_mm / 2 // GRID_MM) + 1):
            _, y = self.to_px(np.array([0.0]), np.array([k * GRID_MM]))
            p.drawLine(QPointF(rect.left(), y[0]), QPointF(rect.right(), y[0]))
        p.setPen(QPen(fg, 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)
        if not self._masked:
            p.save()
            p.setClipRect(rect)
            self._draw_corridor(p)
            self._draw_faded(p)
            self._draw_start(p)
            p.restore()
        else:
            p.setFont(self._message_font)
            p.setPen(fg)
            p.drawText(
                rect.adjusted(8, 8, -8, -8),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
        # Legend
        p.setFont(self._legend_font)
        p.setPen(fg)
        for box, line in zip(
            self._legend_rects(rect.bottom() + 4), self.legend_lines(), strict=True
        ):
            p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, line)

    def _draw_corridor(self, p: QPainter) -> None:
        env, anchor = self._envelope, self._anchor
        if env is None:
            return
        th = self._theme
        start = anchor if anchor is not None else (0.0, 0.0)
        shapes, mean, end_zone = corridor_outline(env, start)
        shape = QPainterPath()
        for outline in shapes:
            piece = QPainterPath()
            piece.addPolygon(self._points(outline))
            piece.closeSubpath()
            shape = shape.united(piece)
        p.setPen(QPen(QColor(th.band_edge), 1.5))
        p.setBrush(QBrush(th.band_fill))
        p.drawPath(shape)
        p.setBrush(QBrush(QColor(th.band_edge), Qt.BrushStyle.BDiagPattern))
        p.drawPath(shape)
        if end_zone is not None:
            zone = QPainterPath()
            zone.addPolygon(self._points(end_zone))
            zone.closeSubpath()
            p.setBrush(QBrush(QColor(th.band_edge), Qt.BrushStyle.CrossPattern))
            p.drawPath(zone)
        dashed = QPen(QColor(th.mean), 2, Qt.PenStyle.DashLine)
        p.setPen(dashed)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolyline(self._points(mean))

    def _draw_faded(self, p: QPainter) -> None:
        th = self._theme
        n = len(self._faded)
        for age, (x, y) in enumerate(reversed(self._faded)):  # the newest first, least faded
            colour = QColor(th.muted)
            colour.setAlphaF(0.85 - 0.45 * age / max(n - 1, 1))  # the oldest still seen on dark
            pen = QPen(colour, 1.5)
            pen.setDashPattern([3.0, 2.5])  # gaps that show at a glance: not the live stroke
            p.setPen(pen)
            for rx, ry in _runs(x, y):
                if len(rx) > 1:
                    p.drawPolyline(polygon(*self.to_px(rx, ry)))

    def _draw_start(self, p: QPainter) -> None:
        if self._anchor is None:
            return
        px, py = self.to_px(np.array([self._anchor[0]]), np.array([self._anchor[1]]))
        p.setPen(QPen(QColor(self._theme.trace), 2))
        p.setBrush(QBrush(QColor(self._theme.background)))
        p.drawEllipse(QPointF(float(px[0]), float(py[0])), 6.0, 6.0)
