"""The convert stage of a build (with --pdf): plans whose documents are written go in, and come
out complete (PDFs and packet written, recorded) in the order they went in.

The conversion itself is `pipeline.pdf`'s; this module only schedules it beside rendering.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from pipeline.batch.incremental import Builder, Pending, Unconverted
from pipeline.batch.options import BuildOptions
from pipeline.batch.worker import PlanResult
from pipeline.errors import ConversionError, UnreadablePdfError
from pipeline.model.documents import BY_FILENAME

if TYPE_CHECKING:
    from pipeline.pdf.convert import Converter


class Conversions:
    """LibreOffice is started only when a first document needs it; a bounded number of plans
    wait, so memory stays flat and rendering does not run far ahead of conversion."""

    def __init__(self, options: BuildOptions, builder: Builder, instances: int) -> None:
        self.options = options
        self.builder = builder
        self.instances = instances
        self.waiting: deque[Pending] = deque()
        self.converter: Converter | None = None
        self.threads: ThreadPoolExecutor | None = None

    def submit(self, pending: Pending) -> None:
        if self.converter is None or self.threads is None:
            from pipeline.pdf.convert import Converter
            from pipeline.pdf.office import find_office

            self.converter = Converter(
                find_office(),
                instances=self.instances,
                options=self.options.export(),
                timeout=self.options.conversion_timeout,
            )
            self.threads = ThreadPoolExecutor(self.instances, thread_name_prefix="convert")
        rendered = pending.rendered
        assert rendered.revision_date is not None
        for name, data in rendered.documents.items():
            pending.conversions[name] = self.threads.submit(
                self.converter.convert, name, data, rendered.revision_date
            )
        self.waiting.append(pending)

    def completed(self, wait: bool = False) -> Iterator[PlanResult]:
        """Plans whose conversions are done; with `wait`, all of them, as they finish.
        Blocks while more plans wait than the instances can soon take."""
        while self.waiting:
            first = self.waiting[0]
            done = all(future.done() for future in first.conversions.values())
            if not (done or wait or len(self.waiting) > self.instances * 2):
                return
            self.waiting.popleft()
            pdfs = self._pdfs(first)
            yield self.builder.complete(first, pdfs, self._front(first, pdfs))

    def _front(
        self, pending: Pending, pdfs: dict[str, bytes | Unconverted]
    ) -> bytes | Unconverted | None:
        """The PDF of the packet's cover and contents, converted like its documents (None
        when a document has no PDF: there will be no packet)."""
        from pipeline.pdf.front import FRONT, front_docx
        from pipeline.pdf.packet import Part

        rendered = pending.rendered
        if self.converter is None or rendered.packet is None or rendered.revision_date is None:
            return None
        parts = []
        for name, pdf in pdfs.items():
            if isinstance(pdf, Unconverted):
                return None
            document = BY_FILENAME[name]
            parts.append(Part(rendered.titles.get(name, document.name), document.label, pdf))
        try:
            docx = front_docx(rendered.packet, parts)
            return self.converter.convert(FRONT, docx, rendered.revision_date)
        except (ConversionError, UnreadablePdfError) as error:
            return Unconverted(f"LibreOffice could not convert the packet's cover: {error}")

    @staticmethod
    def _pdfs(pending: Pending) -> dict[str, bytes | Unconverted]:
        pdfs: dict[str, bytes | Unconverted] = {}
        for name, future in pending.conversions.items():
            try:
                pdfs[name] = future.result()
            except ConversionError as error:
                pdfs[name] = Unconverted(f"LibreOffice could not convert it to PDF: {error}")
            except UnreadablePdfError as error:
                pdfs[name] = Unconverted(f"the PDF cannot be used: {error}")
        return pdfs

    def close(self, abort: bool = False) -> None:
        """Stop LibreOffice; with `abort` (the build was interrupted), at once."""
        if self.converter is not None:
            self.converter.close(abort)
        if self.threads is not None:
            self.threads.shutdown(wait=True, cancel_futures=True)
        if self.converter is not None:
            self.converter.close(abort=True)  # anything started while the threads ended
