"""Where a prepared render's time goes, step by step (`make bench`'s render figures): each step
of `PreparedTemplate._render` timed alone, the best of several runs, on the same documents.

The steps, in order: the template's own Jinja code (`Compiled.template.render`), docxtpl's
finishing of the text (`_finish_joined`: its escapes, `resolve_listing`), serializing the
document part (`Proof.serialize` where the template is proved, which shipped templates are;
else parsing it, checking its tables and lxml's serialization), compressing it and writing the
zip, the headers, footers and notes, and the core properties. Beside them, what the parse and
serialization the proof spares would cost (not part of the render).
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

STEPS = (
    "Jinja",
    "finishing",
    "serialize",
    "compress + zip",
    "headers, footers",
    "properties",
    "(spared: parse + serialize)",
)


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

    def parsed() -> bytes:
        tree = rendered_xml.body_tree(tpl, xml)
        return bytes(etree.tostring(tree, encoding="UTF-8", standalone=True))

    proof = compiled.proof
    serialize = partial(proof.serialize, xml) if proof is not None else parsed
    serialized = serialize() or parsed()

    def package() -> bytes:
        entry = ZipEntry.of("word/document.xml", serialized)
        return zip_package([entry if e.name == entry.name else e for e in prepared._entries])

    def small() -> None:
        for part, encoding, finish in prepared._parts.values():
            finish(part.render(tpl, context).encode(encoding))

    return {
        "Jinja": best(partial(compiled.template.render, context), times),
        "finishing": best(partial(rendered_xml._finish_joined, tpl, raw), times),
        "serialize": best(serialize, times),
        "compress + zip": best(package, times),
        "headers, footers": best(small, times),
        "properties": best(partial(prepared._core, context, date), times),
        "(spared: parse + serialize)": best(parsed, times) if proof is not None else 0.0,
    }
