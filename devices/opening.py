"""From what a user types (``sim``, ``sim:novice``, ``sim:plate``, ``/dev/ttyACM0``, ``COM3``,
``socket://...``) to a running-ready ``Source``.

``sim:plate`` (or ``sim:plate:SKILL``) is the simulated force plate: the same simulated person
stroking a plate that sends ``force_n,cop_x_mm,cop_y_mm`` and no tool angle.

The simulator is reached as a pyserial URL (``sim://``), so it goes through the same serial link
and ITP/1 parser as a real tool: what is tested on the simulator is the real path.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from devices.link import SerialSource
from devices.samples import DeviceError
from devices.sim import SKILL_NAMES
from devices.source import Source

# The simulator (its stroke models, numpy.random) is imported when a simulated device is opened:
# a real tool's recording does not pay for it.


def simulator_url(
    skill: str = "competent",
    stroke: str = "sweep",
    seed: int = 0,
    rate_hz: float = 1000.0,
    speed: float = 1.0,
    wait: bool = False,
    channels: Sequence[str] | None = None,
) -> str:
    """``wait``: the simulated person rests until the host sends ``START`` (a session begins);
    ``channels``: what the device sends (``PLATE_CHANNELS`` for a force plate), else the tool's
    default."""
    params: dict[str, object] = {
        "stroke": stroke,
        "skill": skill,
        "seed": seed,
        "rate": f"{rate_hz:g}",
        "speed": speed,
    }
    if wait:
        params["wait"] = 1
    if channels:
        params["channels"] = ",".join(channels)
    return "sim://?" + urlencode(params, safe=",")


def is_simulator(dev: str) -> bool:
    return dev == "sim" or dev.startswith(("sim:", "sim://"))


def simulator_choice(dev: str) -> tuple[str, tuple[str, ...] | None]:
    """The skill and channels named by ``sim``, ``sim:SKILL``, ``sim:plate`` or
    ``sim:plate:SKILL`` (channels None: the simulated tool's own)."""
    from devices.sim.simulator import PLATE_CHANNELS

    words = dev.split(":")[1:]
    channels: tuple[str, ...] | None = None
    if words and words[0] == "plate":
        channels = PLATE_CHANNELS
        words = words[1:]
    skill = words[0] if words and words[0] else "competent"
    if len(words) > 1 or skill not in SKILL_NAMES:
        raise DeviceError(
            f"unknown simulator skill '{':'.join(words)}' in '{dev}' (use sim:SKILL or "
            f"sim:plate:SKILL with SKILL one of {', '.join(SKILL_NAMES)})"
        )
    return skill, channels


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
        raise DeviceError(
            "no device given (use sim, sim:SKILL, sim:plate, a port name or a pyserial URL)"
        )
    if is_simulator(dev) and not dev.startswith("sim://"):
        skill, channels = simulator_choice(dev)
        dev = simulator_url(skill, stroke, seed, rate_hz, speed, wait, channels)
    if dev.startswith("sim://"):
        from devices.sim.simulator import register as register_simulator

        register_simulator()
    if protocol not in ("itp", "csv"):
        raise DeviceError(f"unknown protocol '{protocol}' (use itp or csv)")
    return SerialSource(dev, baud=baud, protocol=protocol, csv_columns=columns, reconnect=reconnect)
