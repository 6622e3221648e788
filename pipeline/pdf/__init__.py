"""PDFs, stage 6 of a build (with --pdf): .docx → PDF with LibreOffice, made reproducible, and
joined into a plan's submission packet.

- `office.py`: LibreOffice on this machine, and the export options;
- `convert.py`: a pool of long-lived LibreOffice instances, supervised;
- `uno_worker.py`: the helper each instance runs (under LibreOffice's own Python, not ours);
- `finish.py`: every PDF checked and given fixed dates and ids;
- `packet.py`: a plan's PDFs joined into `packet.pdf`, with bookmarks and page labels.
- `info.py`: the dates every output carries and a packet's document information (without
  pypdf: a build's workers need them for every plan).

Imports the foundation and `pipeline.model`; it knows nothing of plans' content.
"""
