"""Simulated tools and force plates: a person's strokes through an imperfect sensor, as ITP/1
bytes (a plate sends ``force_n,cop_x_mm,cop_y_mm``, the stroke's path in its centre of pressure).

Reached as the pyserial URL ``sim://`` (``protocol_sim``), or on a pseudo-terminal
(``itp_emulator``), so the demo, the application, the tests and the benchmarks all go through the
real link and parser.
"""
