"""Recordings a crash left unfinished, in the application: the start-up offer and File > Recover...

A recording cut short by a crash, a kill or a power cut is a student's session. The start-up
banner offers the newest one; its offer is dismissed only once the recording has opened in the
review window (a recording that fails to open is offered again, with the reason), and every
unfinished recording, dismissed or not, can be reached again from File > Recover..., which
lists them all. The rules are ``trainer.recordings.recovery.RecoveryOffers``'; this module puts
them on screen and keeps the dismissals in the settings.

Listing the folder reads each recording's status (a stat, the tail of its event log, its lock),
so File > Recover... lists off the GUI thread; the start-up offer reads the same at start-up, as
the window always has.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer.recordings.recovery import RecoveryOffers, UnfinishedRecording
from ui.app.settings import AppSettings
from ui.runtime.background import run_in_background
from ui.widgets.banner import Banner

if TYPE_CHECKING:  # the review window imports pyqtgraph: loaded when it is first opened
    from ui.review.review_view import Review, ReviewView

#: The banner key of the start-up offer.
RECOVERY_KEY = "recovery"


class Recovery(QObject):
    """The start-up offer and the File > Recover... list, over one ``RecoveryOffers``.

    ``review`` gives the review window (shown); opening a recording loads it there, and the
    offer is dismissed when the review window says it loaded that recording.
    """

    def __init__(
        self,
        banner: Banner,
        settings: AppSettings,
        sessions_dir: Path,
        review: Callable[[], ReviewView],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._banner = banner
        self._settings = settings
        self._review = review
        self.offers = RecoveryOffers(sessions_dir, settings.dismissed_recoveries())
        self._watched: ReviewView | None = None
        #: The recording being opened from an offer or the list, until it opened or failed.
        self.opening: Path | None = None
        self.dialog: RecoverDialog | None = None

    # -- the start-up offer ------------------------------------------------------------------------
    def offer(self) -> list[UnfinishedRecording]:
        """A non-modal offer to open the newest unfinished recording not dismissed; all of them."""
        found = self.offers.pending()
        if not found:
            self._banner.clear(RECOVERY_KEY)
            return []
        newest = found[0]
        more = f" (and {len(found) - 1} more in File > Recover…)" if len(found) > 1 else ""
        self._show_offer(
            newest.path,
            f"A recording was not finished properly: {newest.describe()}{more}.",
            "info",
        )
        return found

    def _show_offer(self, path: Path, text: str, kind: str) -> None:
        self._banner.show_message(
            RECOVERY_KEY,
            text,
            kind,
            actions=[
                ("Open for review", lambda: self.open(path)),
                ("Dismiss", lambda: self.dismiss(path)),
            ],
        )

    def dismiss(self, path: str | Path) -> None:
        """Offer ``path`` no more at start-up; it stays in File > Recover..."""
        self.offers.dismiss(path)
        self._settings.dismiss_recovery(str(path))
        self._banner.clear(RECOVERY_KEY)

    # -- opening -----------------------------------------------------------------------------------
    def open(self, path: str | Path) -> ReviewView:
        """Load ``path`` in the review window (off the GUI thread); dismissed once it loaded."""
        review = self._review()
        if self._watched is not review:
            review.loaded.connect(self._on_loaded)
            review.load_failed.connect(self._on_failed)
            self._watched = review
        self.opening = Path(path)
        review.load(Path(path))
        return review

    def _on_loaded(self, review: Review) -> None:
        opening, self.opening = self.opening, None
        if opening is not None and Path(review.path) == opening:
            self.dismiss(opening)

    def _on_failed(self, message: str) -> None:
        opening, self.opening = self.opening, None
        if opening is None:
            return
        self._show_offer(
            opening,
            f"{opening.name} could not be opened ({message}); it stays listed in File > Recover…",
            "warning",
        )

    # -- File > Recover... -------------------------------------------------------------------------
    def show_list(self, parent: QWidget | None = None) -> RecoverDialog:
        """The non-modal list of every unfinished recording, filled off the GUI thread."""
        if self.dialog is None:
            self.dialog = RecoverDialog(self, parent)
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog


class RecoverDialog(QDialog):
    """Every unfinished recording in the sessions folder, newest first; Open loads one."""

    def __init__(self, recovery: Recovery, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover an unfinished recording — iastm-trainer")
        self.setModal(False)
        self._recovery = recovery
        self.note = QLabel("Looking for unfinished recordings…")
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            "Open for review", QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.open_button.clicked.connect(self.open_selected)
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(560, 320)
        self.found: list[UnfinishedRecording] | None = None
        self._update_buttons()

    def refresh(self) -> None:
        self.note.setText("Looking for unfinished recordings…")
        run_in_background(self._recovery.offers.recoverable, "recover-list", self._show, self._fail)

    def _show(self, found: list[UnfinishedRecording]) -> None:
        self.found = found
        dismissed = set(self._recovery.offers.dismissed)
        self.list.clear()
        for rec in found:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.modified_s))
            seen = " — dismissed at start-up" if str(rec.path) in dismissed else ""
            item = QListWidgetItem(f"{rec.describe()}, last written {when}{seen}")
            item.setData(Qt.ItemDataRole.UserRole, str(rec.path))
            item.setToolTip(str(rec.path))
            self.list.addItem(item)
        folder = self._recovery.offers.sessions_dir
        self.note.setText(
            f"Recordings in {folder} that were not finished properly (a crash, a kill, a power "
            "cut). Opening one shows it for review; nothing is changed or deleted."
            if found
            else f"No unfinished recordings in {folder}."
        )
        if found:
            self.list.setCurrentRow(0)
        self._update_buttons()

    def _fail(self, exc: BaseException) -> None:
        self.found = []
        self.note.setText(f"Could not list the recordings: {exc}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.list.currentItem() is not None)

    def open_selected(self) -> ReviewView | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self._recovery.open(Path(item.data(Qt.ItemDataRole.UserRole)))
