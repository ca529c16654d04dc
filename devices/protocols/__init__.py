"""Wire formats: pure parsers (bytes in, sample blocks and device events out), no I/O.

ITP/1 (``itp``) and plain CSV lines from DIY sketches (``csvline``). Pure, so a live port, a
replayed log and a fuzzer all feed the same objects.
"""
