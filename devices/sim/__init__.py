"""Simulated tools and force plates: a person's strokes through an imperfect sensor, as ITP/1
bytes (a plate sends ``force_n,cop_x_mm,cop_y_mm``, the stroke's path in its centre of pressure).

Reached as the pyserial URL ``sim://`` (``protocol_sim``), or on a pseudo-terminal
(``itp_emulator``), so the demo, the application, the tests and the benchmarks all go through the
real link and parser.
"""

#: The simulated person's skill levels, by name (their models: ``stroke_models.SKILLS``, which
#: checks it has exactly these). Here so that the command line can offer them without importing
#: numpy and the stroke models for commands that simulate nothing.
SKILL_NAMES: tuple[str, ...] = ("expert", "competent", "novice")
