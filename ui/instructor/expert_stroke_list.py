"""The list of an instructor's recorded strokes: which go into the envelope, and what the builder
thinks of each.

One row per stroke with its duration, peak force and mean angle as recorded, its leave-one-out
score (how it scores against an envelope of the other strokes) and the builder's verdict in words.
The tick box says whether the stroke is used: unticking drops it from the envelope. A stroke the
builder flags as an outlier is marked with a warning sign and the word "outlier", not by colour
alone, and it is up to the instructor to drop it; nothing is dropped automatically.

A model and a view, nothing more: the window decides what a change of the ticks sets off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication, QHeaderView

from trainer.scoring.outliers import OutlierFlag
from trainer.strokes.stroke import Stroke
from ui.theme import LIGHT, Theme
from ui.widgets.list_table import StrokeListView

HEADERS = ("Use", "#", "Duration", "Peak", "Angle", "Own", "Builder's verdict")
COL_USE, COL_NUMBER, COL_DURATION, COL_PEAK, COL_ANGLE, COL_OWN, COL_VERDICT = range(7)
_TIPS = {
    "Use": "Ticked strokes go into the envelope; untick to drop one",
    "#": "Stroke number in this recording",
    "Duration": "Stroke duration (s)",
    "Peak": "Peak force over the baseline (N)",
    "Angle": "Mean tool angle during contact (°)",
    "Own": "This stroke's score against an envelope of the other kept strokes (leave-one-out)",
    "Builder's verdict": "Outlier screening (functional boxplot, band depth) of the kept strokes",
}
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ExpertStrokeRow:
    index: int
    duration_s: float
    peak_force_n: float
    mean_angle_deg: float
    kept: bool = True
    flag: OutlierFlag | None = None  # from the latest build that included the stroke
    own_score: float | None = None

    @property
    def outlier(self) -> bool:
        return self.flag is not None and self.flag.outlier

    def verdict(self) -> str:
        """The builder's verdict in full (its reason names where and by how much)."""
        if self.flag is None:
            text = "not screened yet"
        elif self.flag.outlier:
            text = f"⚠ outlier: {self.flag.reason}"
        else:
            text = self.flag.reason
        return text if self.kept else f"dropped · {text}"

    def short_verdict(self) -> str:
        """The verdict without the band-depth ranking, for the list's narrow column."""
        return self.verdict().split(" (band depth")[0]


def row_of(stroke: Stroke) -> ExpertStrokeRow:
    return ExpertStrokeRow(
        index=int(stroke.index),
        duration_s=float(stroke.duration_s),
        peak_force_n=float(stroke.peak_force_n),
        mean_angle_deg=float(stroke.mean_angle_deg),
    )


class ExpertStrokeModel(QAbstractTableModel):
    """Rows by stroke; ``keep_changed(index, kept)`` when the instructor ticks or unticks one."""

    keep_changed = Signal(int, bool)

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self._rows: list[ExpertStrokeRow] = []
        self._theme = theme
        self._bold = QFont()
        self._bold.setBold(True)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._changed(0, len(self._rows) - 1)

    # -- content ---------------------------------------------------------------------------------
    def add(self, row: ExpertStrokeRow) -> None:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(row)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    def rows(self) -> list[ExpertStrokeRow]:
        return list(self._rows)

    def row_at(self, i: int) -> ExpertStrokeRow:
        return self._rows[i]

    def kept(self) -> list[bool]:
        return [r.kept for r in self._rows]

    def set_kept(self, index: int, kept: bool) -> bool:
        """Tick or untick stroke ``index`` (as a click would); True if it changed."""
        for i, row in enumerate(self._rows):
            if row.index == index and row.kept != kept:
                self._rows[i] = replace(row, kept=kept)
                self._changed(i, i)
                self.keep_changed.emit(index, kept)
                return True
        return False

    def set_verdicts(self, flags: list[OutlierFlag], own_scores: dict[int, float]) -> None:
        """A build's findings; strokes it left out keep the verdict they had."""
        by_index = {f.index: f for f in flags}
        for i, row in enumerate(self._rows):
            if row.index in by_index:
                self._rows[i] = replace(
                    row, flag=by_index[row.index], own_score=own_scores.get(row.index)
                )
            elif not row.kept:
                self._rows[i] = replace(row, own_score=None)
        self._changed(0, len(self._rows) - 1)

    def _changed(self, first: int, last: int) -> None:
        if last >= first >= 0:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))

    # -- Qt model interface ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _TIPS.get(HEADERS[section])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == COL_USE:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_USE:
            return Qt.CheckState.Checked if row.kept else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_VERDICT:
            return row.verdict()
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (COL_VERDICT, COL_USE):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row.kept:
                return QColor(self._theme.muted)
            if row.outlier and col in (COL_NUMBER, COL_VERDICT):
                return QColor(self._theme.bad)
        if role == Qt.ItemDataRole.FontRole and row.outlier and col == COL_VERDICT:
            return self._bold
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.isValid() and index.column() == COL_USE and role == Qt.ItemDataRole.CheckStateRole:
            kept = Qt.CheckState(value) == Qt.CheckState.Checked
            return self.set_kept(self._rows[index.row()].index, kept)
        return False


def _text(row: ExpertStrokeRow, col: int) -> str:
    if col == COL_USE:
        return ""
    if col == COL_NUMBER:
        return str(row.index)
    if col == COL_DURATION:
        return f"{row.duration_s:.2f} s"
    if col == COL_PEAK:
        return f"{row.peak_force_n:.1f} N"
    if col == COL_ANGLE:
        return "–" if row.mean_angle_deg != row.mean_angle_deg else f"{row.mean_angle_deg:.0f}°"
    if col == COL_OWN:
        return "–" if row.own_score is None else f"{row.own_score:.0f}"
    return row.short_verdict()


class ExpertStrokeTable(StrokeListView):
    """The list view; ``stroke_selected(index)`` when a row becomes current."""

    stroke_selected = Signal(int)

    def __init__(self, model: ExpertStrokeModel) -> None:
        super().__init__()
        self.setModel(model)
        self._model = model
        header = self.horizontalHeader()
        metrics = QFontMetrics(self.font())
        pad = 18
        samples = ("Use", "99", "10.00 s", "100.0 N", "90°", "100")
        for col, sample in enumerate(samples):
            width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(HEADERS[col]))
            header.resizeSection(col, width + pad + (14 if col == COL_USE else 0))
        header.setSectionResizeMode(COL_VERDICT, QHeaderView.ResizeMode.Stretch)
        self.selectionModel().currentRowChanged.connect(self._on_current)
        self.follow_new_rows()

    def apply_theme(self, theme: Theme) -> None:
        """Fusion draws a tick box's outline a shade darker than the window colour, which on the
        dark theme's near-black is invisible: the list's own window colour is the muted grey, so an
        unticked box (a dropped stroke) is seen as a box to tick."""
        palette = self.palette()
        window = QColor(theme.muted) if theme.dark else QApplication.palette().window().color()
        palette.setColor(QPalette.ColorRole.Window, window)
        self.setPalette(palette)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.stroke_selected.emit(self._model.row_at(current.row()).index)
