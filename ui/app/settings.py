"""What the application remembers between runs: device, exercise, feedback schedule, theme, window.

A plain INI file (QSettings in INI format, in the folder ``trainer.paths`` names) rather than the
registry or a binary plist, so an instructor can read it, copy it to the next machine, or delete it
to start afresh. Every getter falls back to a sensible default when a value is missing or mangled:
a damaged settings file must never stop the application from opening.

Holds no reference to widgets or sessions.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from trainer.live.feedback import Schedule
from trainer.paths import AppPaths

if TYPE_CHECKING:  # the device layer imports numpy: loaded after the window has first shown
    from trainer.live.connection import DeviceChoice


class AppSettings:
    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths
        self._s = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._s.sync()

    def _str(self, key: str, default: str) -> str:
        value = self._s.value(key, default)
        return value if isinstance(value, str) else default

    # -- device --------------------------------------------------------------------------------
    def device(self) -> DeviceChoice:
        from trainer.live.connection import DEVICE_KINDS, DeviceChoice

        kind = self._str("device/kind", "sim")
        if kind not in DEVICE_KINDS:
            kind = "sim"
        try:
            baud = int(self._str("device/baud", "115200"))
        except ValueError:
            baud = 115200
        return DeviceChoice(
            kind=kind,
            skill=self._str("device/skill", "competent"),
            port=self._str("device/port", ""),
            baud=baud,
            columns=self._str("device/columns", "force_n,angle_deg"),
            plate=self._str("device/plate", "false") == "true",
        )

    def set_device(self, choice: DeviceChoice) -> None:
        self._s.setValue("device/kind", choice.kind)
        self._s.setValue("device/skill", choice.skill)
        self._s.setValue("device/port", choice.port)
        self._s.setValue("device/baud", str(choice.baud))
        self._s.setValue("device/columns", choice.columns)
        self._s.setValue("device/plate", "true" if choice.plate else "false")

    # -- training ------------------------------------------------------------------------------
    def exercise_id(self) -> str:
        return self._str("training/exercise", "")

    def set_exercise_id(self, exercise_id: str) -> None:
        self._s.setValue("training/exercise", exercise_id)

    def schedule(self) -> Schedule:
        try:
            return Schedule(self._str("training/feedback", Schedule.CONCURRENT.value))
        except ValueError:
            return Schedule.CONCURRENT

    def set_schedule(self, schedule: Schedule) -> None:
        self._s.setValue("training/feedback", schedule.value)

    # -- appearance ----------------------------------------------------------------------------
    def theme(self) -> str:
        value = self._str("appearance/theme", "system")
        return value if value in ("system", "light", "dark") else "system"

    def set_theme(self, name: str) -> None:
        self._s.setValue("appearance/theme", name)

    def window_geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self._s.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def set_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)

    # -- calibration -----------------------------------------------------------------------------
    def calibration(self, device_serial: str) -> dict | None:
        """The last calibration applied to the tool with this serial number, as its dict."""
        if not device_serial:
            return None
        value = self._s.value(f"calibration/{_key(device_serial)}")
        if not isinstance(value, str):
            return None
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    def set_calibration(self, device_serial: str, calibration: dict) -> None:
        if device_serial:
            self._s.setValue(f"calibration/{_key(device_serial)}", json.dumps(calibration))

    # -- records ------------------------------------------------------------------------------
    def records_student(self) -> tuple[str, str | None] | None:
        """The student last chosen as training at this station (id, name), or None: a guest."""
        sid = self._str("records/student_id", "")
        return (sid, self._str("records/student_name", "") or None) if sid else None

    def set_records_student(self, chosen: tuple[str, str | None] | None) -> None:
        self._s.setValue("records/student_id", chosen[0] if chosen else "")
        self._s.setValue("records/student_name", (chosen[1] or "") if chosen else "")

    # -- first run -----------------------------------------------------------------------------
    def guide_seen(self) -> bool:
        """Whether the getting-started guide has been shown once already."""
        return str(self._s.value("help/guide_seen", "false")).lower() == "true"

    def set_guide_seen(self) -> None:
        self._s.setValue("help/guide_seen", "true")

    # -- crash recovery ------------------------------------------------------------------------
    def dismissed_recoveries(self) -> list[str]:
        value = self._s.value("recovery/dismissed", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def dismiss_recovery(self, path: str) -> None:
        kept = [p for p in self.dismissed_recoveries() if p != path][-49:]
        self._s.setValue("recovery/dismissed", [*kept, path])


def _key(text: str) -> str:
    """A settings key from a serial number (INI keys must not hold '/', '\\' or spaces)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)
