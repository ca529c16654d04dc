"""Synthetic recordings: the simulated tool's ITP/1 bytes, through the real parser, to a file.

``iastm-trainer simulate``, the demo, the shipped library and the tests all make recordings here,
so a simulated recording has been through exactly the parsing a real tool's data goes through.
"""

from __future__ import annotations

import os
from pathlib import Path

from devices.protocols.itp import ItpParser
from devices.samples import DeviceError, DeviceEvent, EventKind, SampleBlock
from devices.sim.simulator import StrokeSimulator
from trainer.recordings.writer import write_recording


def simulate_recording(
    path: str | os.PathLike[str],
    *,
    stroke_type: str = "sweep",
    skill: str = "expert",
    strokes: int = 10,
    seed: int = 0,
    rate_hz: float = 1000.0,
    channels: tuple[str, ...] | None = None,
) -> tuple[Path, int]:
    """Write ``strokes`` simulated strokes to ``path``; returns the path and the sample count.
    ``channels``: the simulator's (``PLATE_CHANNELS`` for a force plate); a hand tool's if None."""
    kwargs = {"channels": channels} if channels else {}
    sim = StrokeSimulator(stroke_type, skill, seed=seed, rate_hz=rate_hz, **kwargs)
    t_s, values = sim.generate_strokes(strokes)
    parser = ItpParser()
    items = parser.feed(sim.itp_bytes(t_s, values))
    blocks = [it for it in items if isinstance(it, SampleBlock)]
    if parser.counters.corrupt_lines or parser.counters.lost_samples or not blocks:
        raise DeviceError(
            f"the simulator's stream did not parse cleanly ({parser.counters.corrupt_lines} "
            f"corrupt lines, {parser.counters.lost_samples} lost samples)"
        )
    info = next(
        (
            it.info
            for it in items
            if isinstance(it, DeviceEvent) and it.kind is EventKind.INFO and it.info
        ),
        None,
    )
    data = SampleBlock.concat(blocks)
    metadata = {
        "device": info.describe() if info else "iastm-sim",
        "rate_hz": f"{rate_hz:g}",
        "source": "simulator",
        "simulated": f"stroke={stroke_type} skill={skill} strokes={strokes} seed={seed}",
    }
    if info is not None and info.serial:
        metadata["device_serial"] = info.serial
    out = write_recording(path, data.t_s, data.values, data.channels, metadata)
    return out, len(data)
