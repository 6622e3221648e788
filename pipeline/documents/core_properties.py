"""A document's core properties (title, subject, author, dates), as python-docx writes them, from
a pattern made once per template.

python-docx loads the properties part, sets each property and serializes the part: a parse and
a dozen tree operations for a part of a kilobyte, on every document. Here python-docx fills the
part once with a marker for each property and for the date, and each document's part is that
text with the markers replaced: its values escaped as lxml escapes text, an empty value as
python-docx writes one (found the same way, once). A value python-docx refuses (over 255
characters) or that lxml would write otherwise (a character that is not printable) goes the
python-docx way, so its result or its error is python-docx's own (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, cast

from docx.opc.packuri import PackURI
from docx.opc.parts.coreprops import CorePropertiesPart

_DATE = dt.datetime(1901, 2, 3, 4, 5, 6)
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # python-docx's, for created and modified
_LONGEST = 255  # python-docx refuses longer values


def _marker(name: str) -> str:
    return f"\ue000{name}\ue000"


class CoreProperties:
    """The core properties part of a template, filled in per document."""

    def __init__(self, content_type: str, blob: bytes, names: tuple[str, ...]) -> None:
        self._content_type, self._blob, self._names = content_type, blob, names
        pattern = self.by_python_docx({name: _marker(name) for name in names}, _DATE)
        self._pattern: bytes | None = pattern
        self._date = date = _DATE.strftime(_FORMAT).encode()
        self._empty: dict[str, tuple[bytes, bytes]] = {}
        for name in names:
            if pattern.count(_marker(name).encode()) != 1:
                self._pattern = None  # a marker that does not stand alone: python-docx's way
                return
            with_empty = self.by_python_docx(
                {n: "" if n == name else _marker(n) for n in names}, _DATE
            )
            self._empty[name] = _difference(pattern, with_empty)
        if pattern.count(date) != 2:
            self._pattern = None

    def by_python_docx(self, values: Mapping[str, str], when: dt.datetime) -> bytes:
        part = CorePropertiesPart.load(
            PackURI("/docProps/core.xml"),
            self._content_type,
            self._blob,
            cast(Any, None),  # no package: the part is only filled in and serialized
        )
        properties = part.core_properties
        for name, value in values.items():
            setattr(properties, name, value)
        properties.created = properties.modified = when
        return bytes(part.blob)

    def part(self, render: Callable[[str], str], when: dt.datetime) -> bytes:
        """The part with each property's value (`render(name)`) and `when` as both dates."""
        values = {name: render(name) for name in self._names}
        if self._pattern is None or not all(
            len(value) <= _LONGEST and value.isprintable() for value in values.values()
        ):
            return self.by_python_docx(values, when)
        data = self._pattern.replace(self._date, when.strftime(_FORMAT).encode())
        for name, value in values.items():
            if value:
                text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                data = data.replace(_marker(name).encode(), text.encode())
            else:
                data = data.replace(*self._empty[name])
        return data


def _difference(a: bytes, b: bytes) -> tuple[bytes, bytes]:
    """The stretch of `a` that differs from `b`, and what `b` has there."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return a[start : len(a) - end], b[start : len(b) - end]
