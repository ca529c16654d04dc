"""The look and behaviour shared by the application's stroke lists (training and expert).

One row per stroke, picked whole, never edited, newest at the bottom and kept in sight as strokes
arrive unless the user scrolled back to look at an older one.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QTableView


class StrokeListView(QTableView):
    def __init__(self) -> None:
        super().__init__()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        # Tab leaves the list for the next control (rows are picked with the arrow keys): with
        # Qt's default, Tab and Shift+Tab walked the cells and never let the keyboard out.
        self.setTabKeyNavigation(False)

    def follow_new_rows(self) -> None:
        """Scroll to each new row, unless the user scrolled back (call once the model is set)."""
        self.model().rowsInserted.connect(self._on_rows_inserted)

    def _on_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        bar = self.verticalScrollBar()
        if bar.value() >= bar.maximum() - 2:
            self.scrollToBottom()
