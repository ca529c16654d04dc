"""Reports: PDFs of sessions and records that an instructor files and hands out.

Typeset by typst (``typeset.py``) as tagged PDF/UA-1, so that screen readers and ``pdftotext`` read
them in order; the figures come from ``trainer.records`` and go to the typst sources in
``templates/`` as JSON, never pasted into markup.
"""
