"""The desktop application under load: sample-to-screen latency, CPU, frame time, memory.

Run under a real (virtual) display, each measurement in a fresh process (``all`` takes about
twenty minutes, most of it the two eight-hour memory runs):

    xvfb-run -a -s "-screen 0 1600x1000x24" python benchmarks/bench_ui.py all
    xvfb-run -a -s "-screen 0 1600x1000x24" python benchmarks/bench_ui.py latency --seconds 30

- ``latency``: a 1 kHz ITP/1 tool on a pseudo-terminal (``pty_device.py``, another process) read
  through the application's own serial path. Per sample: host arrival (the link read the chunk
  holding it) to the flush of the first window repaint in which the strip chart showed it; and,
  for comparison, the tool's write into the pty to that flush. Target p99 <= 33 ms.
- ``cpu``: the whole application (main window, session, tool at 1 kHz), process CPU time over wall
  time; baseline in the same run, the same session with no window. ``--device sim`` (the
  simulator at speed 1, in this process) or ``pty`` (the tool in another process, as a real one
  is). Target <= 15 % of one core.
- ``frames``: each display tick timed from the timer firing to the flush of the window repaints
  that followed it, with the timer at 60 fps and the 10 s strip. Target p99 <= 8 ms.
- ``widgets``: the strip chart and the stroke panel alone, each frame's drawing and repaint.
- ``memory``: the simulator sped up to cover 8 hours, RSS every 15 simulated minutes, with the
  window (``--speed 50``: faster and the session falls behind and sheds samples) or the session
  alone (``--alone``, speed 150). Target: flat once the bounded buffers are full.

``--interval-ms`` on ``latency``, ``cpu`` and ``frames`` sets the display timer, to weigh latency
against CPU. Figures are printed, never asserted: timing depends on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from trainer.cli.threads import one_blas_thread  # noqa: E402

one_blas_thread()  # as the application's entry point does, before numpy loads

import numpy as np  # noqa: E402

WARMUP_S = 3.0


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def _stats_ms(values_s: np.ndarray) -> str:
    ms = np.asarray(values_s) * 1000.0
    if not len(ms):
        return "no data"
    return (
        f"p50 {_pct(ms, 50):.1f} ms, p90 {_pct(ms, 90):.1f} ms, p99 {_pct(ms, 99):.1f} ms, "
        f"max {ms.max():.1f} ms (n={len(ms)})"
    )


def _platform_check() -> None:
    from PySide6.QtWidgets import QApplication

    name = QApplication.instance().platformName()
    if name != "xcb":
        print(f"warning: Qt platform {name!r}; run under xvfb-run for real painting")


@contextlib.contextmanager
def _device(kind: str) -> Iterator[object]:
    """The tool to read: the built-in simulator (``sim``, speed 1, in this process) or an ITP/1
    tool on a pty in another process (``pty``), as a ``DeviceChoice``."""
    from ui_harness import PtyTool

    from trainer.live.connection import DeviceChoice

    if kind == "sim":
        yield DeviceChoice("sim", skill="competent", speed=1.0, seed=7)
        return
    tool = PtyTool()
    try:
        tool.go()
        yield DeviceChoice("serial", port=tool.path)
    finally:
        tool.stop()


# -- latency --------------------------------------------------------------------------------------
def first_shown(sample_t_s: np.ndarray, paint_end_s: np.ndarray, shown_s: np.ndarray) -> np.ndarray:
    """For each sample time, the end of the first paint whose plot held it (nan: never shown).

    ``shown_s`` is the newest sample time a plot held when each paint (in time order) ended;
    a sample is on screen from the first paint that held it or anything newer.
    """
    newest = np.maximum.accumulate(shown_s)
    j = np.searchsorted(newest, sample_t_s, side="left")
    out = np.full(len(sample_t_s), np.nan)
    ok = j < len(newest)
    out[ok] = paint_end_s[j[ok]]
    return out


def cmd_latency(args: argparse.Namespace) -> None:
    from ui_harness import ArrivalLog, PtyTool, close_window, make_application, open_window, run_for

    from trainer.live.connection import DeviceChoice

    app = make_application(timed=True)
    _platform_check()
    tool = PtyTool(args.rate)
    try:
        window = open_window(DeviceChoice("serial", port=tool.path))
        view = window.view
        if args.interval_ms:
            view.display_timer.setInterval(args.interval_ms)
        session = view.session
        arrivals = ArrivalLog(session.source)
        interval_ms = view.display_timer.interval()
        app.watch_display(
            view.display_timer,
            {
                "strip": (view.strip, lambda: view.strip.shown_until_s),
                "stroke": (
                    view.stroke_panel.force_plot,
                    lambda: view.stroke_panel.live_until_s,
                ),
            },
        )
        tool.go()
        run_for(WARMUP_S)
        app.enabled = True
        run_for(args.seconds)
        app.enabled = False
        send_log = tool.stop()
        counters = session.source.counters
        close_window(window)
    finally:
        tool.stop()

    t_all, arrival_all = arrivals.per_sample()
    log = app.log
    t_first_paint = log.paints[0].start_s
    print(f"display timer {interval_ms} ms; {args.seconds:g} s measured after {WARMUP_S:g} s")
    print(
        f"samples: {counters.samples} received, {counters.lost_samples} lost, "
        f"{counters.corrupt_lines} corrupt; {len(log.ticks)} display ticks"
    )

    # Send time of sample i: the end of the first write after which more than i had gone out.
    def sent_at(t_s: np.ndarray) -> np.ndarray:
        index = np.rint(t_s * args.rate).astype(np.int64)
        w = np.searchsorted(send_log[:, 1], index, side="right")
        return send_log[np.minimum(w, len(send_log) - 1), 0]

    def arrived_at(t_s: np.ndarray) -> np.ndarray:
        return arrival_all[np.clip(np.searchsorted(t_all, t_s), 0, len(t_all) - 1)]

    # A widget's paint is on screen when the window repaint holding it has been flushed.
    updates = np.array(log.updates).reshape(-1, 2)

    def flushed_at(paint_end_s: np.ndarray) -> np.ndarray:
        k = np.searchsorted(updates[:, 0], paint_end_s, side="right") - 1
        inside = (k >= 0) & (updates[np.maximum(k, 0), 1] >= paint_end_s)
        return np.where(inside, updates[np.maximum(k, 0), 1], paint_end_s)

    for name, label in (("strip", "strip chart"), ("stroke", "stroke in progress")):
        paints = [p for p in log.paints if p.name == name and p.shown_s is not None]
        if not paints:
            print(f"{label}: no paints")
            continue
        end = flushed_at(np.array([p.end_s for p in paints]))
        shown = np.array([p.shown_s for p in paints])
        print(f"{label}: {len(paints)} paints")
        if name == "strip":
            # Every sample is drawn on the strip: its latency is to the first paint holding it.
            keep = (arrival_all > t_first_paint) & (arrival_all < end[-1] - 1.0)
            t, arrival = t_all[keep], arrival_all[keep]
            on_screen = first_shown(t, end, shown)
            print(f"  per sample, host arrival -> on screen: {_stats_ms(on_screen - arrival)}")
            print(f"  per sample, tool write   -> on screen: {_stats_ms(on_screen - sent_at(t))}")
        # Per paint that showed something new: how old its newest sample was.
        new = np.r_[True, np.diff(shown) > 0]
        age = end[new] - arrived_at(shown[new])
        print(f"  newest sample shown, host arrival -> on screen: {_stats_ms(age)}")
    ticks = np.array(log.ticks)
    if len(ticks) > 2:
        print(f"display tick interval: {_stats_ms(np.diff(ticks[:, 0]))}")


# -- frames ---------------------------------------------------------------------------------------
def frame_times(ticks: np.ndarray, paints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per tick: from the timer firing to the end of the last window repaint before the next
    tick, and the time spent in those repaints (painting and flushing to the display)."""
    total = np.empty(len(ticks) - 1)
    painting = np.empty(len(ticks) - 1)
    for k in range(len(ticks) - 1):
        start, nxt = ticks[k, 0], ticks[k + 1, 0]
        inside = paints[(paints[:, 0] >= start) & (paints[:, 1] < nxt)]
        total[k] = (inside[:, 1].max() if len(inside) else ticks[k, 1]) - start
        painting[k] = (inside[:, 1] - inside[:, 0]).sum()
    return total, painting


def cmd_frames(args: argparse.Namespace) -> None:
    from ui_harness import close_window, make_application, open_window, run_for

    app = make_application(timed=True)
    _platform_check()
    with _device(args.device) as choice:
        window = open_window(choice)
        view = window.view
        production_ms = view.display_timer.interval()
        view.display_timer.setInterval(args.interval_ms)
        app.watch_display(view.display_timer, {})
        run_for(WARMUP_S)
        app.enabled = True
        cpu0, wall0 = _cpu_s(), time.monotonic()
        run_for(args.seconds)
        cpu1, wall1 = _cpu_s(), time.monotonic()
        app.enabled = False
        strokes = view.table_model.rowCount()
        close_window(window)
    log = app.log
    ticks = np.array(log.ticks)
    # Window repaints: the posted update requests, each painting every dirty widget and flushing.
    repaints = np.array(log.updates).reshape(-1, 2)
    frames, painting = frame_times(ticks, repaints)
    refresh = ticks[:, 1] - ticks[:, 0]
    rate = (len(ticks) - 1) / (ticks[-1, 0] - ticks[0, 0])
    print(
        f"tool: {args.device}; display timer {args.interval_ms} ms (the application uses "
        f"{production_ms} ms), strip {view.strip.window_s:g} s, {args.seconds:g} s measured, "
        f"{strokes} strokes scored"
    )
    print(f"achieved {rate:.1f} frames/s; CPU {100 * (cpu1 - cpu0) / (wall1 - wall0):.1f} %")
    print(f"frame (tick + paint): {_stats_ms(frames)}")
    print(f"  refresh() alone:    {_stats_ms(refresh)}")
    print(f"  repaint and flush:  {_stats_ms(painting)}")
    print(f"  anything else:      {_stats_ms(frames - refresh[:-1] - painting)}")
    print(f"  frames over 8 ms: {np.count_nonzero(frames > 0.008)} of {len(frames)}")


# -- cpu ------------------------------------------------------------------------------------------
def _session_alone_cpu(seconds: float, device: str) -> tuple[float, int]:
    """CPU share of the same session (tool, recording, segmentation, scoring), no window."""
    from trainer.library.exercise import find_exercise
    from trainer.live.connection import open_device
    from trainer.live.session import TrainingSession

    exercise = find_exercise("sweep")
    with _device(device) as choice, tempfile.TemporaryDirectory() as d:
        source = open_device(choice, exercise)  # type: ignore[arg-type]
        session = TrainingSession(source, exercise, recording_path=Path(d) / "alone.csv")
        session.start()
        time.sleep(WARMUP_S)
        cpu0, wall0 = _cpu_s(), time.monotonic()
        time.sleep(seconds)
        cpu1, wall1 = _cpu_s(), time.monotonic()
        session.stop()
    return (cpu1 - cpu0) / (wall1 - wall0), len(session.log)


def _xvfb_cpu_s() -> float | None:
    """CPU seconds of the X server this process draws to (not part of the application)."""
    display = os.environ.get("DISPLAY", "")
    if not display:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if not cmd or not cmd[0].endswith(b"Xvfb") or display.encode() not in cmd:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return None


def cmd_cpu(args: argparse.Namespace) -> None:
    what = {"sim": "sim:// speed 1 in this process", "pty": "ITP/1 tool on a pty, another process"}
    baseline, base_strokes = _session_alone_cpu(args.seconds, args.device)
    print(
        f"baseline, session alone ({what[args.device]}, 1 kHz, recording, scoring): "
        f"{100 * baseline:.1f} % of one core ({base_strokes} strokes)"
    )
    from ui_harness import close_window, make_application, open_window, run_for

    make_application(timed=False)
    _platform_check()
    with _device(args.device) as choice:
        window = open_window(choice)
        view = window.view
        if args.interval_ms:
            view.display_timer.setInterval(args.interval_ms)
        run_for(WARMUP_S)
        x0 = _xvfb_cpu_s()
        cpu0, wall0 = _cpu_s(), time.monotonic()
        run_for(args.seconds)
        cpu1, wall1 = _cpu_s(), time.monotonic()
        x1 = _xvfb_cpu_s()
        strokes = view.table_model.rowCount()
        interval = view.display_timer.interval()
        close_window(window)
    share = (cpu1 - cpu0) / (wall1 - wall0)
    print(
        f"whole application (window {interval} ms display timer): {100 * share:.1f} % of one "
        f"core over {wall1 - wall0:.1f} s ({strokes} strokes)"
    )
    print(f"application / session alone: {share / baseline:.2f} x")
    if x0 is not None and x1 is not None:
        print(f"(the X server, another process: {100 * (x1 - x0) / (wall1 - wall0):.1f} %)")


# -- memory ---------------------------------------------------------------------------------------
def _stroke_record_mb(session: object) -> float:
    """Megabytes of sample arrays held by the session's stroke records (the newest keep theirs)."""
    total = 0
    for record in list(session.records):  # type: ignore[attr-defined]
        stroke = record.stroke
        if stroke is None:
            continue
        total += stroke.t_s.nbytes + stroke.force_n.nbytes + stroke.angle_deg.nbytes
    return total / 1e6


def cmd_memory(args: argparse.Namespace) -> None:
    from trainer.live.connection import DeviceChoice

    choice = DeviceChoice("sim", skill="competent", speed=args.speed, seed=7)
    target_s = args.hours * 3600.0
    step_s = args.every_min * 60.0
    series: list[tuple[float, float, float]] = []  # simulated min, RSS MB, wall s
    wall0 = time.monotonic()
    next_s = 0.0
    window = None
    if args.alone:
        from trainer.library.exercise import find_exercise
        from trainer.live.connection import open_device
        from trainer.live.session import TrainingSession

        exercise = find_exercise("sweep")
        home = tempfile.TemporaryDirectory()
        session = TrainingSession(
            open_device(choice, exercise), exercise, recording_path=Path(home.name) / "long.csv"
        )
        session.start()

        def wait() -> None:
            time.sleep(0.25)

    else:
        from ui_harness import close_window, make_application, open_window, run_for

        make_application(timed=False)
        _platform_check()
        window = open_window(choice)
        session = window.view.session

        def wait() -> None:
            run_for(0.25)

    while True:
        wait()
        now = session.state().last_t_s or 0.0
        if now >= next_s:
            series.append((now / 60.0, _rss_mb(), time.monotonic() - wall0))
            next_s += step_s
        if now >= target_s:
            break
    counters = session.source.counters
    records, records_mb = len(session.records), _stroke_record_mb(session)
    strokes = len(session.log)
    if window is not None:
        rows, shades = window.view.table_model.rowCount(), window.view.strip.shade_counts()
        close_window(window)
        what = f"application window, {rows} strokes in the list, strip shades {shades}"
    else:
        session.stop()
        home.cleanup()
        what = "session alone (no window)"
    print(
        f"{what}; sim:// speed {args.speed:g}: {args.hours:g} h simulated in "
        f"{series[-1][2]:.0f} s wall; {counters.samples} samples taken, "
        f"{counters.overflow_samples} shed by the queue (fell behind), "
        f"{counters.lost_samples} lost on the way"
    )
    print("simulated min   RSS MB")
    for minute, rss, _wall in series:
        print(f"{minute:13.0f}   {rss:6.1f}")
    minutes = np.array([m for m, _r, _w in series])
    rss = np.array([r for _m, r, _w in series])
    half = len(rss) // 2
    slope = np.polyfit(minutes[half:] / 60.0, rss[half:], 1)[0] if len(rss) > 3 else float("nan")
    print(
        f"RSS second half {rss[half:].min():.1f}..{rss[half:].max():.1f} MB, "
        f"trend {slope:+.1f} MB per simulated hour; {strokes} strokes, the newest {records} kept "
        f"whole, their raw samples {records_mb:.1f} MB"
    )


# -- widgets --------------------------------------------------------------------------------------
def cmd_widgets(args: argparse.Namespace) -> None:
    """The strip chart and the stroke panel alone, fed synthetic 1 kHz data frame by frame."""
    from ui_harness import make_application

    from trainer.library.exercise import find_exercise
    from ui.plots.strip_chart import StripChart
    from ui.strokes.stroke_panel import StrokePanel

    app = make_application(timed=False)
    _platform_check()
    rate_hz, fps = 1000.0, 60.0

    def per_frame(draw: object) -> np.ndarray:
        out = []
        for k in range(args.frames):
            start = time.perf_counter()
            draw(k)  # type: ignore[operator]
            app.processEvents()  # the posted repaint: paint and flush
            out.append(time.perf_counter() - start)
        return np.array(out[20:])

    t = np.arange(0.0, 60.0, 1.0 / rate_hz)
    force = 6.0 * np.clip(np.sin(np.pi * t / 1.6), 0.0, None) ** 2 + 0.05 * np.sin(377.0 * t)
    angle = 40.0 + 5.0 * np.sin(t)
    strip = StripChart()
    strip.resize(600, 330)
    strip.show()
    strokes = [(s + 0.2, s + 1.5) for s in np.arange(0.0, 60.0, 3.2)]

    def strip_frame(k: int) -> None:
        now = 12.0 + k / fps
        while strokes and strokes[0][1] < now:
            strip.add_stroke(*strokes.pop(0))
        i1 = int(now * rate_hz)
        i0 = max(0, i1 - 10_500)
        strip.show_data(t[i0:i1], force[i0:i1], angle[i0:i1])

    print(f"strip chart 600x330, 10 s of 1 kHz a frame: {_stats_ms(per_frame(strip_frame))}")
    strip.close()

    panel = StrokePanel()
    panel.resize(900, 560)
    panel.set_exercise(find_exercise("sweep"))
    panel.show()
    duration = panel.expected_duration_s or 1.0

    def stroke_frame(k: int) -> None:
        now = (k % 90) / fps + 0.01
        i1 = int(now * rate_hz) + 1
        f = 8.0 * np.sin(np.pi * t[:i1] / (1.2 * duration)) ** 2
        panel.show_live(t[:i1], f, angle[:i1], 0.0, 1)

    print(f"stroke panel 900x560, a stroke growing: {_stats_ms(per_frame(stroke_frame))}")
    panel.close()


# -- all ------------------------------------------------------------------------------------------
def cmd_all(args: argparse.Namespace) -> None:
    runs = (
        ["widgets"],
        ["latency"],
        ["frames"],
        ["frames", "--device", "pty"],
        ["cpu"],
        ["cpu", "--device", "pty"],
        ["memory", "--alone", "--speed", "150"],
        ["memory"],
    )
    for run in runs:
        print(f"\n== {' '.join(run)} ==", flush=True)
        subprocess.run([sys.executable, __file__, *run], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("latency", help="sample-to-screen latency, 1 kHz tool on a pty")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--rate", type=float, default=1000.0)
    p.add_argument("--interval-ms", type=int, default=0, help="display timer (0: as shipped)")
    p.set_defaults(fn=cmd_latency)
    p = sub.add_parser("frames", help="frame time with the display at 60 fps")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--interval-ms", type=int, default=16)
    p.add_argument("--device", choices=("sim", "pty"), default="sim")
    p.set_defaults(fn=cmd_frames)
    p = sub.add_parser("cpu", help="CPU of the whole application against the session alone")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--device", choices=("sim", "pty"), default="sim")
    p.add_argument("--interval-ms", type=int, default=0, help="display timer (0: as shipped)")
    p.set_defaults(fn=cmd_cpu)
    p = sub.add_parser("memory", help="RSS over a long, sped-up session")
    p.add_argument("--hours", type=float, default=8.0)
    p.add_argument("--speed", type=float, default=50.0)
    p.add_argument("--every-min", type=float, default=15.0)
    p.add_argument("--alone", action="store_true", help="the session without the window")
    p.set_defaults(fn=cmd_memory)
    p = sub.add_parser("widgets", help="strip chart and stroke panel alone, per frame")
    p.add_argument("--frames", type=int, default=300)
    p.set_defaults(fn=cmd_widgets)
    p = sub.add_parser("all", help="everything, each in its own process")
    p.set_defaults(fn=cmd_all)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
