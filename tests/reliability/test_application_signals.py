"""Point 6, in the application: SIGTERM (a logout) and SIGHUP close it as its close button does.

They used to kill it at once (exit -15), leaving a recording unfinished. Now the windows close the
normal way (a session is stopped and its recording finished first) and it exits 0, at whatever
moment the signal comes: while Qt is still starting, while the window is being built, or once it
is up. The application runs off-screen in a process of its own, as a user starts it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cli_helpers import BIN

#: Seeded, so every run tries the same moments: after the data folder appears (the handlers are
#: in place by then), at once or up to 3 s later.
_DRAW = random.Random(6)
TRIES = [
    (signal.SIGTERM, 0.0),
    (signal.SIGTERM, round(_DRAW.uniform(0.05, 3.0), 3)),
    (signal.SIGHUP, round(_DRAW.uniform(0.05, 3.0), 3)),
]
TIMEOUT_S = 60.0


def _run_and_signal(home: Path, signum: int, delay_s: float) -> tuple[int, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IASTM_TRAINER_HOME": str(home)}
    proc = subprocess.Popen(
        [str(BIN)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while not (home / "data").exists() and proc.poll() is None:
            assert time.monotonic() < deadline, "the application did not start"
            time.sleep(0.02)
        time.sleep(delay_s)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, err


def test_sigterm_and_sighup_close_the_application_and_exit_0(tmp_path: Path) -> None:
    tries = [(tmp_path / str(k), signum, delay) for k, (signum, delay) in enumerate(TRIES)]
    with ThreadPoolExecutor(len(tries)) as pool:
        results = list(pool.map(lambda t: _run_and_signal(*t), tries))
    for (_home, signum, delay), (code, err) in zip(tries, results, strict=True):
        assert code == 0, (signum.name, delay, code, err[-2000:])
        assert "Traceback" not in err, err
