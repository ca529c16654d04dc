"""The device panel: which tool to read, how the link is doing, tare and calibration.

A trainee or instructor needs to see at a glance that the tool is connected and healthy: the
achieved sample rate, samples lost on the way and lines damaged on the wire are shown as counts,
never hidden. Ports are listed (and probed for ITP/1) off the GUI thread, since probing a port can
take a second and a stalled USB hub much longer.

The panel only shows and asks: it emits what the user chose and never opens a port itself.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from trainer.live.connection import SKILLS, Counters, DeviceChoice, DeviceInfo
from ui.runtime.background import run_in_background
from ui.theme import LIGHT, Theme

SIM_ITEM = "sim"
SIM_PLATE_ITEM = "sim:plate"
CSV_ITEM = "csv"


class RateMeter:
    """The achieved sample rate from the running sample count, over the last second or so.

    From the count and the wall clock, not from what the device claims: a tool configured for
    1000 Hz that delivers 940 shows 940.
    """

    def __init__(self, window_s: float = 1.0) -> None:
        self.window_s = window_s
        self._last: tuple[float, int] | None = None
        self.rate_hz: float | None = None

    def update(self, samples: int, now_s: float | None = None) -> float | None:
        now = time.monotonic() if now_s is None else now_s
        if self._last is None or samples < self._last[1]:
            self._last = (now, samples)
            return self.rate_hz
        t0, n0 = self._last
        if now - t0 >= self.window_s:
            self.rate_hz = (samples - n0) / (now - t0)
            self._last = (now, samples)
        return self.rate_hz

    def reset(self) -> None:
        self._last = None
        self.rate_hz = None


def describe_port(entry: dict[str, Any]) -> str:
    """A port as the list shows it: name, ITP/1 mark, what it says about itself."""
    parts = [str(entry.get("device", "?"))]
    if entry.get("itp"):
        parts.append("— ITP/1 tool")
    extra = entry.get("description") or entry.get("vid_pid")
    if extra and extra != "n/a":
        parts.append(f"({extra})")
    return " ".join(parts)


def list_port_entries(probe: bool = True) -> list[dict[str, Any]]:
    """The serial ports as plain dicts (blocking: call it off the GUI thread)."""
    from trainer.live.connection import list_ports

    return [p.as_dict() for p in list_ports(probe=probe)]


class DevicePanel(QGroupBox):
    """Choose a device; see its connection, rate, losses and identity; tare and calibrate."""

    choice_changed = Signal(object)  # DeviceChoice
    tare_requested = Signal()
    calibrate_requested = Signal()
    ports_listed = Signal(list)  # list of port dicts, after a refresh finished

    def __init__(self, choice: DeviceChoice | None = None, theme: Theme = LIGHT) -> None:
        super().__init__("Tool")
        self._theme = theme
        self._ports: list[dict[str, Any]] = []
        self._listing = False
        self.rate_meter = RateMeter()

        self.source_combo = QComboBox()
        self.source_combo.setToolTip("Where the force and angle come from")
        # Port names can be long: the list shows them whole, the closed box shortens them.
        for combo in (self.source_combo,):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.refresh_button = QPushButton("Find")
        self.refresh_button.setToolTip("List the serial ports and ask each whether it speaks ITP/1")
        self.skill_combo = QComboBox()
        for skill in SKILLS:
            self.skill_combo.addItem(f"{skill} strokes", skill)
        self.skill_combo.setToolTip("How well the simulated tool's strokes match the expert's")
        self.csv_port = QLineEdit()
        self.csv_port.setPlaceholderText("/dev/ttyUSB0 or COM3")
        self.csv_columns = QLineEdit("force_n,angle_deg")
        self.csv_columns.setToolTip(
            "The columns the device prints, in order, e.g. t_ms,force_n,angle_deg "
            "(use 'skip' for a column to ignore)"
        )

        self.status_label = QLabel("Not connected")
        big = QFont()
        big.setPointSize(15)
        big.setBold(True)
        self.status_label.setFont(big)
        self.status_label.setWordWrap(True)
        self.rate_label = QLabel("–")
        self.lost_label = QLabel("0")
        self.corrupt_label = QLabel("0")
        self.identity_label = QLabel("Device: –")
        self.identity_label.setWordWrap(True)
        self.tare_label = QLabel("Force zero: not tared")
        self.tare_label.setWordWrap(True)
        for label, tip in (
            (self.rate_label, "Samples per second actually arriving"),
            (self.lost_label, "Samples the tool sent that never arrived"),
            (self.corrupt_label, "Damaged lines dropped (bad checksum or format)"),
            (self.tare_label, "Force zero (tare) and calibration"),
        ):
            label.setToolTip(tip)

        self.tare_button = QPushButton("Tare (T)")
        self.tare_button.setToolTip("Zero the force: hold the tool still, off the skin (T)")
        self.calibrate_button = QPushButton("Calibrate…")
        self.calibrate_button.setToolTip("Calibrate the force with known masses")

        source_row = QHBoxLayout()
        source_row.addWidget(self.source_combo, 1)
        source_row.addWidget(self.refresh_button)
        form = QFormLayout()
        form.addRow("Source", source_row)
        self._skill_row = ("Skill", self.skill_combo)
        form.addRow(*self._skill_row)
        form.addRow("Port", self.csv_port)
        form.addRow("Columns", self.csv_columns)
        form.addRow("Status", self.status_label)
        form.addRow("Rate", self.rate_label)
        form.addRow("Lost", self.lost_label)
        form.addRow("Corrupt", self.corrupt_label)
        self._form = form
        buttons = QHBoxLayout()
        buttons.addWidget(self.tare_button)
        buttons.addWidget(self.calibrate_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.identity_label)
        layout.addWidget(self.tare_label)
        layout.addLayout(buttons)

        self._rebuild_sources()
        self.set_choice(choice or DeviceChoice())
        self.source_combo.currentIndexChanged.connect(self._on_changed)
        self.skill_combo.currentIndexChanged.connect(self._on_changed)
        self.csv_port.editingFinished.connect(self._on_changed)
        self.csv_columns.editingFinished.connect(self._on_changed)
        self.refresh_button.clicked.connect(self.refresh_ports)
        self.tare_button.clicked.connect(self.tare_requested)
        self.calibrate_button.clicked.connect(self.calibrate_requested)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme

    # -- choosing --------------------------------------------------------------------------------
    def _rebuild_sources(self) -> None:
        current = self.source_combo.currentData()
        self.source_combo.blockSignals(True)
        self.source_combo.clear()
        self.source_combo.addItem("Simulated tool", SIM_ITEM)
        self.source_combo.addItem("Simulated plate", SIM_PLATE_ITEM)
        for entry in self._ports:
            self.source_combo.addItem(describe_port(entry), str(entry.get("device")))
        self.source_combo.addItem("CSV device (DIY sketch)…", CSV_ITEM)
        if current is not None:
            i = self.source_combo.findData(current)
            if i >= 0:
                self.source_combo.setCurrentIndex(i)
        self.source_combo.blockSignals(False)

    def set_choice(self, choice: DeviceChoice) -> None:
        """Show ``choice`` without emitting ``choice_changed``."""
        widgets = (self.source_combo, self.skill_combo, self.csv_port, self.csv_columns)
        for w in widgets:
            w.blockSignals(True)
        try:
            if choice.kind == "serial" and self.source_combo.findData(choice.port) < 0:
                self._ports.append(
                    {"device": choice.port, "itp": False, "description": "last used"}
                )
                self._rebuild_sources()
            sim_item = SIM_PLATE_ITEM if choice.plate else SIM_ITEM
            data = {"sim": sim_item, "csv": CSV_ITEM}.get(choice.kind, choice.port)
            self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(data)))
            self.skill_combo.setCurrentIndex(max(0, self.skill_combo.findData(choice.skill)))
            if choice.kind == "csv":
                self.csv_port.setText(choice.port)
                self.csv_columns.setText(choice.columns)
            self._baud = choice.baud
            self._speed = choice.speed
            self._seed = choice.seed
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._show_fields()

    def choice(self) -> DeviceChoice:
        data = self.source_combo.currentData()
        skill = self.skill_combo.currentData() or "competent"
        if data in (SIM_ITEM, SIM_PLATE_ITEM):
            plate = data == SIM_PLATE_ITEM
            return DeviceChoice("sim", skill=skill, speed=self._speed, seed=self._seed, plate=plate)
        if data == CSV_ITEM:
            return DeviceChoice(
                "csv",
                skill=skill,
                port=self.csv_port.text().strip(),
                baud=self._baud,
                columns=self.csv_columns.text().strip(),
            )
        return DeviceChoice("serial", skill=skill, port=str(data), baud=self._baud)

    def _show_fields(self) -> None:
        kind = self.choice().kind
        self._form.setRowVisible(self.skill_combo, kind == "sim")
        self._form.setRowVisible(self.csv_port, kind == "csv")
        self._form.setRowVisible(self.csv_columns, kind == "csv")

    def _on_changed(self, *_args: object) -> None:
        self._show_fields()
        self.choice_changed.emit(self.choice())

    # -- ports -----------------------------------------------------------------------------------
    def refresh_ports(self) -> None:
        """List (and probe) ports on a worker thread; the list updates when it is done."""
        if self._listing:
            return
        self._listing = True
        self.refresh_button.setEnabled(False)
        self.refresh_button.setText("Looking…")
        run_in_background(list_port_entries, "list-ports", self._on_ports, self._on_ports_failed)

    def _on_ports(self, entries: list[dict[str, Any]]) -> None:
        self._listing = False
        self.refresh_button.setEnabled(True)
        self.refresh_button.setText("Find")
        self._ports = list(entries)
        self._rebuild_sources()
        self._show_fields()
        self.ports_listed.emit(self._ports)

    def _on_ports_failed(self, exc: BaseException) -> None:
        self._on_ports([])
        self.status_label.setText(f"Could not list ports: {exc}")

    def set_ports(self, entries: list[dict[str, Any]]) -> None:
        """Ports found elsewhere (the start-up probe), without a second probe."""
        self._on_ports(entries)

    # -- status ----------------------------------------------------------------------------------
    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_counters(self, counters: Counters | None) -> None:
        if counters is None:
            self.rate_meter.reset()
            self.rate_label.setText("–")
            return
        rate = self.rate_meter.update(counters.samples)
        self.rate_label.setText("–" if rate is None else f"{rate:.0f} samples/s")
        self.lost_label.setText(f"{counters.lost_samples}")
        self.corrupt_label.setText(f"{counters.corrupt_lines}")

    def clear_figures(self) -> None:
        """No tool, or a new one: no figure of the last one stays on show as if it were live."""
        self.rate_meter.reset()
        self.rate_label.setText("–")
        self.lost_label.setText("–")
        self.corrupt_label.setText("–")
        self.identity_label.setText("Device: –")

    def show_info(self, info: DeviceInfo | None) -> None:
        if info is None:
            self.identity_label.setText("Device: –")
            return
        parts = [f"{info.device} {info.firmware}".strip()]
        if info.serial:
            parts.append(f"serial {info.serial}")
        if info.rate_hz:
            parts.append(f"{info.rate_hz:g} Hz")
        self.identity_label.setText("Device: " + " · ".join(parts))

    def show_tare(self, text: str) -> None:
        self.tare_label.setText(f"Force zero: {text}")

    def tare_text(self) -> str:
        return self.tare_label.text()
