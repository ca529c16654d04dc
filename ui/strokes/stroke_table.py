"""The stroke list: one row per stroke with its score, verdict, sub-scores and main lesson.

Rows obey the feedback schedule: a stroke whose result is held back shows its number and
"held back" instead of figures, and fills in when it is revealed (on request, or at the end of a
no-feedback block). Pass and fail are told by a symbol and a word; the colour only repeats it.
Clicking a row selects the stroke so that the stroke plots can show it against the envelope.

The list holds the newest ``MAX_ROWS`` strokes: a row keeps its curves for the stroke plots, so an
unbounded list would grow all day. Older strokes stay in the session summary and the recording.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from trainer.live.feedback import Reveal
from ui.strokes.stroke_rows import SUB_SCORE_COLUMNS, StrokeRow
from ui.theme import LIGHT, Theme
from ui.widgets.list_table import StrokeListView

_FIXED = ("#", "Score", "Result")
_TAIL = ("Why",)
HEADERS: tuple[str, ...] = (*_FIXED, *(h for _, h in SUB_SCORE_COLUMNS), *_TAIL)
COL_NUMBER, COL_SCORE, COL_RESULT = 0, 1, 2
COL_WHY = len(HEADERS) - 1
#: The angle's column; on a force plate (no angle, a path) it gives the path's sub-score instead.
COL_ANGLE = len(_FIXED) + [k for k, _ in SUB_SCORE_COLUMNS].index("angle")

_Index = QModelIndex | QPersistentModelIndex
TABLE_FONT_PT = 12  # the list is for looking back; the live figures elsewhere are larger
MAX_ROWS = 1000


class StrokeTableModel(QAbstractTableModel):
    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self._rows: list[StrokeRow] = []
        self._reveal: dict[int, Reveal] = {}
        self._dropped = 0
        self._shows_path = False  # the angle's column gives the path (a force plate's strokes)
        self._theme = theme
        self._bold = QFont()
        self._bold.setPointSize(TABLE_FONT_PT)
        self._bold.setBold(True)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COL_WHY))

    # -- content ---------------------------------------------------------------------------------
    def add(self, row: StrokeRow, reveal: Reveal) -> None:
        # A plate's strokes have a path and no angle: the angle's column shows the path.
        shows_path = row.sub_score("angle") is None and row.sub_score("path") is not None
        if shows_path != self._shows_path and (shows_path or row.sub_score("angle") is not None):
            self._shows_path = shows_path
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_ANGLE, COL_ANGLE)
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(row)
        self._reveal[row.number] = reveal
        self.endInsertRows()
        if len(self._rows) > MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            oldest = self._rows.pop(0)
            self._reveal.pop(oldest.number, None)
            self._dropped += 1
            self.endRemoveRows()

    @property
    def strokes_added(self) -> int:
        """Every stroke added since the last clear, those no longer listed included."""
        return self._dropped + len(self._rows)

    @property
    def strokes_dropped(self) -> int:
        """The oldest strokes let go of to keep the list at ``MAX_ROWS``."""
        return self._dropped

    def set_reveal(self, number: int, reveal: Reveal) -> None:
        if number not in self._reveal:
            return  # no longer listed
        self._reveal[number] = reveal
        for i, row in enumerate(self._rows):
            if row.number == number:
                self.dataChanged.emit(self.index(i, 0), self.index(i, COL_WHY))
                return

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._reveal.clear()
        self._dropped = 0
        self.endResetModel()

    def row_at(self, i: int) -> StrokeRow:
        return self._rows[i]

    def reveal_of(self, number: int) -> Reveal:
        return self._reveal.get(number, Reveal.HIDDEN)

    def rows(self) -> list[StrokeRow]:
        return list(self._rows)

    # -- Qt model interface ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        shown = "Path" if section == COL_ANGLE and self._shows_path else None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return shown or HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(shown or HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        reveal = self._reveal.get(row.number, Reveal.HIDDEN)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col, reveal, self._shows_path)
        if role == Qt.ItemDataRole.ToolTipRole:
            if reveal is Reveal.HIDDEN:
                return "Held back by the feedback schedule; shown when revealed."
            if reveal is Reveal.IN_BAND:
                return "Inside the band: bandwidth feedback gives no score for such a stroke."
            return "; ".join(row.explanation) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col != COL_WHY:
            return int(Qt.AlignmentFlag.AlignCenter)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col == COL_RESULT
            and reveal is Reveal.FULL
            and row.passed is not None
        ):
            return QColor(self._theme.good if row.passed else self._theme.bad)
        if role == Qt.ItemDataRole.FontRole and col in (COL_SCORE, COL_RESULT):
            return self._bold
        return None

    @staticmethod
    def _text(row: StrokeRow, col: int, reveal: Reveal, shows_path: bool = False) -> str:
        if col == COL_NUMBER:
            return str(row.number)
        if reveal is Reveal.HIDDEN:
            return "held back" if col == COL_RESULT else ""
        if reveal is Reveal.IN_BAND:
            return "✓ in band" if col == COL_RESULT else ""
        if col == COL_SCORE:
            return row.score_shown
        if col == COL_RESULT:
            return row.verdict
        if col == COL_WHY:
            return row.one_line
        key = SUB_SCORE_COLUMNS[col - len(_FIXED)][0]
        if col == COL_ANGLE and shows_path:
            key = "path"
        value = row.sub_score(key)
        return "–" if value is None else f"{value:.0f}"


_HEADER_TIPS = {
    "#": "Stroke number in this session",
    "Score": "Overall score, 0 to 100",
    "Result": "Against the exercise's pass mark",
    "Force": "Force accuracy against the expert band (0 to 100)",
    "Angle": "Angle accuracy against the expert band (0 to 100)",
    "Path": "Where the stroke went on the plate: length, direction, shape (0 to 100)",
    "Tempo": "Duration and time to peak against the expert's (0 to 100)",
    "Smooth": "Smoothness (spectral arc length) against the expert's (0 to 100)",
    "Consist.": "How alike your last strokes are, against the expert's spread (0 to 100)",
    "Why": "The main reason for the score",
}


class StrokeTable(StrokeListView):
    """The stroke list view; emits ``stroke_selected(row)`` when the trainee picks a stroke."""

    stroke_selected = Signal(object)

    def __init__(self, model: StrokeTableModel) -> None:
        super().__init__()
        self.setModel(model)
        self._model = model
        header = self.horizontalHeader()
        # Fixed widths from the font, not ResizeToContents: that re-measures every row on every
        # new stroke, which grows with the session.
        font = QFont(self.font())
        font.setPointSize(TABLE_FONT_PT)
        self.setFont(font)
        header.setFont(font)
        bold = QFont(font)
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        pad = 14
        header.setMinimumSectionSize(30)
        for col, sample in enumerate(HEADERS):
            if col == COL_WHY:
                continue
            widest = "held back" if col == COL_RESULT else sample
            header.resizeSection(
                col, max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance("100")) + pad
            )
        header.setSectionResizeMode(COL_WHY, QHeaderView.ResizeMode.Stretch)
        self.clicked.connect(self._on_clicked)
        self.follow_new_rows()

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.stroke_selected.emit(self._model.row_at(index.row()))


class StrokeListPanel(QWidget):
    """The stroke list, the whole "why" of the stroke picked (or the newest) under it, and a line
    shown once the oldest rows have been let go of that says so: a list that quietly starts at
    stroke 1001 would look like lost strokes.

    The Why column is the narrowest on a laptop's screen and cuts its sentence short; the line
    under the list gives it whole, wrapped, and only what the feedback schedule has revealed."""

    def __init__(self, table: StrokeTable) -> None:
        super().__init__()
        self.table = table
        self.why = QLabel("")
        self.why.setObjectName("why")
        self.why.setWordWrap(True)
        self.why.hide()
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(table, 1)
        layout.addWidget(self.why)
        layout.addWidget(self.note)
        model = table.model()
        model.rowsRemoved.connect(self._update_note)
        model.modelReset.connect(self._update_note)
        for signal in (model.rowsInserted, model.dataChanged, model.modelReset):
            signal.connect(self._update_why)
        table.selectionModel().currentRowChanged.connect(self._update_why)

    def _update_why(self, *_args: object) -> None:
        model = self.table.model()
        rows = model.rowCount()
        if rows == 0:
            self.why.hide()
            return
        current = self.table.currentIndex()
        r = current.row() if current.isValid() else rows - 1
        shown = model.index(r, COL_WHY).data(Qt.ItemDataRole.DisplayRole)
        if not shown:  # held back, or inside the band under bandwidth feedback
            self.why.hide()
            return
        whole = model.index(r, COL_WHY).data(Qt.ItemDataRole.ToolTipRole) or shown
        number = model.index(r, COL_NUMBER).data(Qt.ItemDataRole.DisplayRole)
        self.why.setText(f"Stroke {number}: {whole}")
        self.why.show()

    def _update_note(self, *_args: object) -> None:
        model = self.table.model()
        assert isinstance(model, StrokeTableModel)
        if model.strokes_dropped:
            self.note.setText(
                f"Showing the newest {model.rowCount()} of {model.strokes_added} strokes; all are "
                "in the session summary and the recording (review it with Ctrl+O)."
            )
            self.note.show()
        else:
            self.note.hide()
