"""Where a prepared render's time goes, step by step (`make bench`'s render figures): each step
of `PreparedTemplate._render` timed alone, the best of several runs, on the same documents.

The steps, in order: the template's own Jinja code (`Compiled.template.render`), docxtpl's
finishing of the text (`_finish_joined`: its escapes, `resolve_listing`), parsing the document
part and checking its tables (`body_tree`), serializing it (lxml), compressing it and writing
the zip, and the small parts (headers, footers, notes, core properties).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import partial

from lxml import etree

from pipeline.documents import rendered_xml
from pipeline.documents.context import Context
from pipeline.documents.render import PreparedTemplate
from pipeline.files import ZipEntry, zip_package

STEPS = ("Jinja", "finishing", "parse + tables", "serialize", "compress + zip", "small parts")


def best(work: Callable[[], object], times: int) -> float:
    """The shortest of `times` runs (after one warm-up), in seconds."""
    work()
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def render_steps(
    prepared: PreparedTemplate, context: Context, date: dt.date, times: int
) -> dict[str, float]:
    """Seconds per step of rendering `context` with `prepared` (each the best of `times`)."""
    tpl = prepared._tpl
    compiled = prepared._document
    raw = compiled.template.render(context)
    xml = rendered_xml._finish_joined(tpl, raw)
    tree = rendered_xml.body_tree(tpl, xml)
    serialized = etree.tostring(tree, encoding="UTF-8", standalone=True)

    def package() -> bytes:
        entry = ZipEntry.of("word/document.xml", serialized)
        return zip_package([entry if e.name == entry.name else e for e in prepared._entries])

    def small() -> None:
        for part, encoding, finish in prepared._parts.values():
            finish(part.render(tpl, context).encode(encoding))
        prepared._core(context, date)

    return {
        "Jinja": best(partial(compiled.template.render, context), times),
        "finishing": best(partial(rendered_xml._finish_joined, tpl, raw), times),
        "parse + tables": best(partial(rendered_xml.body_tree, tpl, xml), times),
        "serialize": best(partial(etree.tostring, tree, encoding="UTF-8", standalone=True), times),
        "compress + zip": best(package, times),
        "small parts": best(small, times),
    }
