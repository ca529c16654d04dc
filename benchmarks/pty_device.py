"""An ITP/1 tool on a pseudo-terminal in its own process, logging when each sample went out.

The desktop benchmark reads this device through the application's real serial path. Running it in
a child process keeps its CPU out of the application's figures and its thread off the
application's GIL, as a real tool would be. The tool strokes like a trainee (after 3 s held still,
a 1.1 s sin² stroke of 12 N, then 1.5 s of rest at a small preload, over and over), so strokes are
found and the stroke panel draws as it does in practice.

Protocol on stdin/stdout, one line each:
- it prints the port path once the pty exists, then waits, quiet;
- ``go``: stream from sample 0 (device clock 0), so the host's session time of sample ``i`` is
  ``i / rate`` exactly;
- ``stop``: stop streaming, write the send log to the path given as the first argument (a
  ``.npy`` of (monotonic time after the write, samples sent by then) rows) and exit.

Send times are ``time.monotonic()``, the system-wide monotonic clock the parent reads too.
Run only by ``bench_ui.py``; never imported by the application.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.sim.itp_emulator import ItpEmulator

STILL_S = 3.0
STROKE_S = 1.1
REST_S = 1.5
PEAK_N = 12.0
PRELOAD_N = 0.3


class StrokingEmulator(ItpEmulator):
    """Strokes with rests between them, and a log of (send time, samples sent) per write."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.send_log: list[tuple[float, int]] = []
        super().__init__(*args, **kwargs)

    def signal(self, clock_s: np.ndarray) -> np.ndarray:
        t = np.asarray(clock_s, dtype=np.float64)
        phase = np.mod(t - STILL_S, STROKE_S + REST_S)
        stroking = (t >= STILL_S) & (phase < STROKE_S)
        stroke = np.where(stroking, np.sin(np.pi * phase / STROKE_S) ** 2, 0.0)
        force = PRELOAD_N + PEAK_N * stroke
        angle = 40.0 + 6.0 * stroke
        return np.stack([force, angle], axis=1)

    def _write(self) -> None:
        super()._write()
        self.send_log.append((time.monotonic(), self.counts().samples))


def main() -> int:
    log_path = Path(sys.argv[1])
    rate_hz = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
    # 1 ms batches, as a full-speed USB CDC device sends them.
    emulator = StrokingEmulator(rate_hz=rate_hz, streaming=False, chunk_s=0.001)
    try:
        print(emulator.path, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "go":
                emulator.resume()
            elif command == "stop":
                emulator.pause()
                break
    finally:
        emulator.stop()
        np.save(log_path, np.asarray(emulator.send_log, dtype=np.float64).reshape(-1, 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
