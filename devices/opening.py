"""From what a user types (``sim``, ``sim:novice``, ``/dev/ttyACM0``, ``COM3``, ``socket://...``)
to a running-ready ``Source``.

The simulator is reached as a pyserial URL (``sim://``), so it goes through the same serial link
and ITP/1 parser as a real tool: what is tested on the simulator is the real path.
"""

from __future__ import annotations

from urllib.parse import urlencode

from devices.link import SerialSource
from devices.samples import DeviceError
from devices.sim.simulator import register as register_simulator
from devices.sim.stroke_models import SKILLS
from devices.source import Source


def simulator_url(
    skill: str = "competent",
    stroke: str = "sweep",
    seed: int = 0,
    rate_hz: float = 1000.0,
    speed: float = 1.0,
    wait: bool = False,
) -> str:
    """``wait``: the simulated person rests until the host sends ``START`` (a session begins)."""
    params: dict[str, object] = {
        "stroke": stroke,
        "skill": skill,
        "seed": seed,
        "rate": f"{rate_hz:g}",
        "speed": speed,
    }
    if wait:
        params["wait"] = 1
    return "sim://?" + urlencode(params)


def is_simulator(dev: str) -> bool:
    return dev == "sim" or dev.startswith(("sim:", "sim://"))


def open_source(
    dev: str,
    *,
    protocol: str = "itp",
    baud: int = 115200,
    columns: str | None = None,
    stroke: str = "sweep",
    seed: int = 0,
    rate_hz: float = 1000.0,
    speed: float = 1.0,
    reconnect: bool = True,
    wait: bool = False,
) -> Source:
    """A source for ``dev``; raises ``DeviceError`` naming ``dev`` when it makes no sense."""
    dev = dev.strip()
    if not dev:
        raise DeviceError("no device given (use sim, sim:SKILL, a port name or a pyserial URL)")
    if is_simulator(dev) and not dev.startswith("sim://"):
        skill = dev.partition(":")[2] or "competent"
        if skill not in SKILLS:
            raise DeviceError(
                f"unknown simulator skill '{skill}' in '{dev}' (use {', '.join(SKILLS)})"
            )
        dev = simulator_url(skill, stroke, seed, rate_hz, speed, wait)
    if dev.startswith("sim://"):
        register_simulator()
    if protocol not in ("itp", "csv"):
        raise DeviceError(f"unknown protocol '{protocol}' (use itp or csv)")
    return SerialSource(dev, baud=baud, protocol=protocol, csv_columns=columns, reconnect=reconnect)
