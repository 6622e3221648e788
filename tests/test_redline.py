"""The redline engine: the new .docx with its differences from the old one as Word tracked
changes. Realistic pairs (an example plan rendered before and after known edits, and a custom
document made with python-docx); accepting every change must give the new document's text and
rejecting every change the old one's, in every part compared (checked with a plain-XML accept
and reject below, and once in a real LibreOffice)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt
from lxml import etree

from pipeline.documents.plan_documents import render_plan
from pipeline.documents.redline import redline
from pipeline.errors import InvalidInputError
from pipeline.inputs.read import read_input
from tests.conftest import ROOT, document_lines, read_json, run_process

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
AUTHOR = "Plan Reviewer"
DATE = dt.date(2026, 1, 20)
STAMP = "2026-01-20T00:00:00Z"
HARBOR = ROOT / "inputs" / "harbor-view-elementary.json"
STORY = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


# --- A realistic pair: an example plan before and after known edits -----------------------------


def _edited(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["organization"]["name"] = "Harbor View Community Elementary School"  # headers, titles
    plan = data["plan"]
    plan["revision_history"].append(plan["revision"])
    plan["revision"] = {"number": "3", "date": "2026-01-20", "summary": "Mid-year update."}
    foundation = data["foundation"]
    foundation["mission"] = (
        foundation["mission"]
        .replace(
            "partners with families to give every child", "works with families so that each child"
        )
        .replace("language, the strong start", "language, gets the strong start")
    )
    data["outcomes"][0]["final_target"]["value"] = 31
    benchmarks = data["action_plan"]["benchmarks"]
    _set_status(data, "B1.1.1", "at_risk")  # Complete → At risk
    benchmarks[1]["description"] = benchmarks[1]["description"].replace("two six", "three six")
    benchmarks.pop(3)  # B1.1.4 removed
    benchmarks.insert(
        3,
        dict(
            benchmarks[2],
            id="B1.1.5",
            description="Family literacy nights draw at least 60 families in each term.",
            responsible="Family engagement coordinator",
            evidence="Attendance sheets",
        ),
    )
    benchmarks[5], benchmarks[6] = benchmarks[6], benchmarks[5]  # B1.2.2 and B1.2.3 reordered
    return data


def _set_status(data: dict[str, Any], benchmark: str, status: str) -> None:
    """A benchmark's status as recorded and at every check-in that reviews it."""
    plan = data["action_plan"]
    for item in plan["benchmarks"]:
        if item["id"] == benchmark:
            item["status"] = status
    for check_in in plan.get("check_ins", []):
        for review in check_in.get("reviews", []):
            if review.get("benchmark") == benchmark:
                review["status"] = status


@pytest.fixture(scope="module")
def plan_pair(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes]]:
    """{document: (old .docx, new .docx)} of the Harbor View plan and its edited version."""
    edited = tmp_path_factory.mktemp("redline") / HARBOR.name
    edited.write_text(json.dumps(_edited(read_json(HARBOR))), encoding="utf-8")
    old_plan, new_plan = read_input(HARBOR).plan, read_input(edited).plan
    assert old_plan is not None and new_plan is not None
    old, new = render_plan(old_plan), render_plan(new_plan)
    assert sorted(old) == sorted(new)
    return {name: (old[name], new[name]) for name in sorted(old)}


@pytest.fixture(scope="module")
def plan_redlines(plan_pair: dict[str, tuple[bytes, bytes]]) -> dict[str, bytes]:
    return {
        name: redline(old, new, author=AUTHOR, date=DATE) for name, (old, new) in plan_pair.items()
    }


# --- A custom document: python-docx, no house template ------------------------------------------


_NS = nsdecls("w", "r")


def _run(text: str) -> str:
    return f'<w:r {_NS}><w:t xml:space="preserve">{text}</w:t></w:r>'


def _field(code: str, result: str) -> list[str]:
    def part(inner: str) -> str:
        return f"<w:r {_NS}>{inner}</w:r>"

    return [
        part('<w:fldChar w:fldCharType="begin"/>'),
        part(f'<w:instrText xml:space="preserve">{code}</w:instrText>'),
        part('<w:fldChar w:fldCharType="separate"/>'),
        part(f"<w:t>{result}</w:t>"),
        part('<w:fldChar w:fldCharType="end"/>'),
    ]


def _footnote_reference(number: int) -> str:
    return (
        f'<w:r {_NS}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteReference w:id="{number}"/></w:r>'
    )


def _custom(new: bool, libreoffice: bool = False) -> bytes:
    """A small document with paragraphs, tables, a hyperlink, fields, content controls and
    footnotes; `new` is the edited version. For `libreoffice`, without the changes LibreOffice
    (7.4) cannot accept or reject as Word does: a changed field code (it shows the new field
    either way), a change inside a block content control (its rejection is lost), a deleted
    paragraph holding a footnote reference (accepting leaves an empty paragraph)."""
    rich = new and not libreoffice
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Custom plan · " + ("final" if new else "draft")
    section.footer.paragraphs[0].text = "Prepared by the planning team"
    if new:
        document.add_paragraph("Prepared for the spring review.")
    document.add_heading("Custom improvement plan", level=1)
    goal = document.add_paragraph("We will ")
    goal.add_run("raise").bold = True
    goal.add_run(
        " reading scores by twelve points this year." if new else " reading scores by ten points."
    )
    if not new:
        document.add_picture(io.BytesIO(_PIXEL))  # removed: the image goes back with it
        removed = document.add_paragraph("This paragraph is removed in the new version.")
        removed._p.insert(0, parse_xml(f'<w:bookmarkStart {_NS} w:id="7" w:name="gone"/>'))
        removed._p.append(parse_xml(f'<w:bookmarkEnd {_NS} w:id="7"/>'))
        if not libreoffice:
            removed._p.append(parse_xml(_footnote_reference(2)))
    formatted = document.add_paragraph()
    formatted.add_run("Only the formatting of this paragraph changes.").italic = new
    link = document.add_paragraph("See ")
    rel = document.part.relate_to("https://example.org/district", RT.HYPERLINK, is_external=True)
    words = "the district website" if new else "the district site"
    link._p.append(parse_xml(f'<w:hyperlink {_NS} r:id="{rel}">{_run(words)}</w:hyperlink>'))
    link.add_run(" for details.")
    printed = document.add_paragraph("Printed on ")
    code = ' DATE \\@ "MMMM d, yyyy" ' if rich else " DATE "
    for run in _field(code, "January 1, 2025" if rich else "1/1/2025"):
        printed._p.append(parse_xml(run))
    simple = document.add_paragraph("Section ")
    simple._p.append(parse_xml(f'<w:fldSimple {_NS} w:instr=" SECTION ">{_run("1")}</w:fldSimple>'))
    owner = document.add_paragraph("Owner: ")
    name = "Ms. Jones" if new else "Ms. Smith"
    owner._p.append(
        parse_xml(
            f'<w:sdt {_NS}><w:sdtPr><w:alias w:val="Owner"/><w:tag w:val="owner"/></w:sdtPr>'
            f"<w:sdtContent>{_run(name)}</w:sdtContent></w:sdt>"
        )
    )
    goals = ["Goal A revised", "Goal B", "Goal C"] if rich else ["Goal A", "Goal B"]
    paragraphs = "".join(f"<w:p {_NS}>{_run(text)}</w:p>" for text in goals)
    block = (
        f'<w:sdt {_NS}><w:sdtPr><w:tag w:val="goals"/></w:sdtPr>'
        f"<w:sdtContent>{paragraphs}</w:sdtContent></w:sdt>"
    )
    document.element.body.insert(len(document.element.body) - 1, parse_xml(block))
    rows = [["Goal", "Owner", "Status"], ["Read", "Ms. Smith", "Complete"]]
    rows += [["Count", "Ms. Ray", "Not started"]]
    if new:
        rows[1][2] = "At risk"
        rows.append(["Speak", "Mr. Diaz", "Not started"])
    else:
        rows.insert(2, ["Write", "Mr. Lee", "On track"])
    table = document.add_table(rows=len(rows), cols=3)
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    if new:
        table.rows[1].cells[1].add_paragraph("with Mr. Lee")  # a paragraph added at a cell's end
    extra = [["Budget", "$1,000"], ["Staff", "2"]] if not new else [["Timeline", "2026"]]
    gone_or_added = document.add_table(rows=len(extra), cols=2)
    for row, values in zip(gone_or_added.rows, extra, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    source = document.add_paragraph("Scores come from the state.")
    source._p.append(parse_xml(_footnote_reference(1)))
    if new:
        later = document.add_paragraph("A new data source is noted.")
        later._p.append(parse_xml(_footnote_reference(3)))
    closing = document.add_paragraph("Closing remark.")
    closing.runs[0].font.size = Pt(11)
    if new:
        document.add_paragraph("A new final paragraph.")
    out = io.BytesIO()
    document.save(out)
    notes = {1: "Source: state data, 2025." if new else "Source: state data, 2024."}
    notes[3 if new else 2] = "Added in the new version." if new else "Removed in the new version."
    return _finish(out.getvalue(), notes)


_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _finish(package: bytes, notes: dict[int, str]) -> bytes:
    """`package` with a footnotes part holding `notes` (python-docx makes none), without the
    stylesWithEffects part of python-docx's default template (out of step with its styles,
    which openxml-audit reports)."""
    body = "".join(
        f'<w:footnote w:id="{number}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
        for number, text in sorted(notes.items())
    )
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {nsdecls("w")}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:footnote>{body}</w:footnotes>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            data = re.sub(rb"<[^<>]*stylesWithEffects[^<>]*/>", b"", data)
            if info.filename == "word/stylesWithEffects.xml":
                continue
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/word/footnotes.xml" ContentType="{_FOOTNOTES_TYPE}"/>'
                    "</Types>".encode(),
                )
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdNotes" Type="{RT.FOOTNOTES}" Target="footnotes.xml"/>'
                    "</Relationships>".encode(),
                )
            target.writestr(info.filename, data)
        target.writestr("word/footnotes.xml", footnotes)
    return out.getvalue()


@pytest.fixture(scope="module")
def custom_pair() -> tuple[bytes, bytes, bytes]:
    """(old, new, redline) of the custom document."""
    old, new = _custom(new=False), _custom(new=True)
    return old, new, redline(old, new, author=AUTHOR, date=DATE)


# --- Accept all, reject all: plain XML --------------------------------------------------------


def _resolve(root: Any, accept: bool) -> None:
    """Accept (or reject) every tracked change in a part, in place: the gone side's rows,
    runs and paragraph marks are removed (a paragraph whose mark is removed joins the next
    one, as in Word), the kept side's marks are unwrapped."""
    gone, kept = (W + "del", W + "ins") if accept else (W + "ins", W + "del")
    for row in list(root.iter(W + "tr")):
        if row.find(f"{W}trPr/{gone}") is not None:
            row.getparent().remove(row)
    for mark in list(root.iter(gone, kept)):
        parent = mark.getparent()
        if parent.tag in (W + "rPr", W + "trPr"):
            if mark.tag == kept:
                parent.remove(mark)
        elif mark.tag == gone:
            parent.remove(mark)
        else:
            for child in list(mark):
                mark.addprevious(child)
            parent.remove(mark)
    for element in root.iter(W + "delText", W + "delInstrText"):
        assert not accept, "deleted text left after accepting"
        element.tag = W + ("t" if element.tag == W + "delText" else "instrText")
    for paragraph in list(root.iter(W + "p")):
        if paragraph.find(f"{W}pPr/{W}rPr/{gone}") is None:
            continue
        following = paragraph.getnext()
        while following is not None and following.tag not in (W + "p", W + "tbl", W + "sdt"):
            following = following.getnext()
        content = [child for child in paragraph if child.tag != W + "pPr"]
        if following is not None and following.tag == W + "p":
            properties = following.find(W + "pPr")
            for child in reversed(content):
                if properties is not None:
                    properties.addnext(child)
                else:
                    following.insert(0, child)
        else:
            assert not _text(paragraph), "a paragraph whose mark goes has nothing to join"
        paragraph.getparent().remove(paragraph)
    left = [e.tag for e in root.iter(W + "ins", W + "del", W + "delText", W + "delInstrText")]
    assert not left, f"revisions left: {left[:5]}"


def _owner(element: Any) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != W + "p":
        parent = parent.getparent()
    return parent


def _text(paragraph: Any) -> str:
    """A paragraph's text as python-docx reads it: text, tabs and breaks of its own runs."""
    out = []
    for run in paragraph.iter(W + "r"):
        if _owner(run) is not paragraph:
            continue
        for child in run:
            if child.tag in (W + "t", W + "delText"):
                out.append(child.text or "")
            elif child.tag in (W + "tab", W + "ptab"):
                out.append("\t")
            elif child.tag in (W + "br", W + "cr"):
                out.append("\n")
    return "".join(out)


def _stories(package: bytes) -> Iterator[tuple[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        for name in source.namelist():
            if STORY.fullmatch(name):
                yield name, etree.fromstring(source.read(name))


def _view(package: bytes, mode: str = "plain") -> dict[str, list[str]]:
    """The text of every paragraph (in tables too) of every story part, in order; after
    accepting or rejecting every change unless `mode` is "plain"."""
    views = {}
    for name, root in _stories(package):
        if mode != "plain":
            _resolve(root, accept=mode == "accept")
        views[name] = [_text(p) for p in root.iter(W + "p") if _owner(p) is None]
    return views


def _resolved(package: bytes, accept: bool) -> bytes:
    """The .docx with every change accepted (or rejected)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if STORY.fullmatch(name):
                root = etree.fromstring(data)
                _resolve(root, accept)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            target.writestr(name, data)
    return out.getvalue()


def _assert_round_trip(old: bytes, new: bytes, red: bytes) -> None:
    assert _view(red, "accept") == _view(new)
    assert _view(red, "reject") == _view(old)
    assert document_lines(_resolved(red, accept=True)) == document_lines(new)
    assert document_lines(_resolved(red, accept=False)) == document_lines(old)


def _inserted(root: Any) -> list[str]:
    return [t.text for mark in root.iter(W + "ins") for t in mark.iter(W + "t")]


def _marks(package: bytes) -> list[Any]:
    return [m for _, root in _stories(package) for m in root.iter(W + "ins", W + "del")]


# --- The tests ----------------------------------------------------------------------------------


def test_a_plans_edits_are_tracked_where_they_were_made(plan_redlines: dict[str, bytes]) -> None:
    action = dict(_stories(plan_redlines["action-plan.docx"]))
    body = action["word/document.xml"]
    rows = list(body.iter(W + "tr"))
    deleted = [r for r in rows if r.find(f"{W}trPr/{W}del") is not None]
    inserted = [r for r in rows if r.find(f"{W}trPr/{W}ins") is not None]
    row_text = ["".join(t.text or "" for t in r.iter(W + "t", W + "delText")) for r in rows]
    assert any("B1.1.4" in row_text[rows.index(r)] for r in deleted)  # a benchmark removed
    assert any("B1.1.5" in row_text[rows.index(r)] for r in inserted)  # one added
    # reordered rows: one of the two is deleted and inserted again
    assert any(
        "B1.2.2" in row_text[rows.index(r)] or "B1.2.3" in row_text[rows.index(r)] for r in inserted
    )
    for row in deleted:  # a removed row is all deleted: no text outside w:del
        assert not list(row.iter(W + "t"))
    # a status changed: word by word inside the same row
    changed = next(r for r in rows if "B1.1.1" in "".join(t.text or "" for t in r.iter(W + "t")))
    assert changed.find(f"{W}trPr/{W}ins") is None and changed.find(f"{W}trPr/{W}del") is None
    assert [t.text for t in changed.iter(W + "delText")] == ["Complete"]
    assert "".join(t.text for m in changed.iter(W + "ins") for t in m.iter(W + "t")) == "At risk"
    # a reworded benchmark: only the changed word
    reworded = next(r for r in rows if "B1.1.2" in "".join(t.text or "" for t in r.iter(W + "t")))
    assert [t.text for t in reworded.iter(W + "delText")] == ["two"]
    # the footer (the revision) and the header (the school's name), word by word
    footer = action["word/footer1.xml"]
    assert [t.text for t in footer.iter(W + "delText")] == ["2", "October 15", "2025"]
    assert _inserted(footer) == ["3", "January 20", "2026"]
    assert [t.strip() for t in _inserted(action["word/header1.xml"])] == ["Community"]
    improvement = dict(_stories(plan_redlines["improvement-plan.docx"]))["word/document.xml"]
    deleted_words = {t.text for t in improvement.iter(W + "delText")}
    assert {"partners", "give", "every", "27"} <= {w for t in deleted_words for w in t.split()}
    inserted_words = {t.text for m in improvement.iter(W + "ins") for t in m.iter(W + "t")}
    assert any("31" in words for words in inserted_words)
    for mark in _marks(plan_redlines["action-plan.docx"]):
        assert mark.get(W + "author") == AUTHOR and mark.get(W + "date") == STAMP
    for data in plan_redlines.values():
        ids = [m.get(W + "id") for m in _marks(data)]
        assert len(set(ids)) == len(ids)


def test_accepting_gives_the_new_plan_and_rejecting_the_old(
    plan_pair: dict[str, tuple[bytes, bytes]], plan_redlines: dict[str, bytes]
) -> None:
    assert {"action-plan.docx", "improvement-plan.docx", "roadmap.docx"} <= set(plan_pair)
    for name, (old, new) in plan_pair.items():
        assert _marks(plan_redlines[name]), name
        _assert_round_trip(old, new, plan_redlines[name])


def test_a_custom_document_is_redlined_and_round_trips(
    custom_pair: tuple[bytes, bytes, bytes],
) -> None:
    old, new, red = custom_pair
    _assert_round_trip(old, new, red)
    body = dict(_stories(red))["word/document.xml"].find(W + "body")
    tables = body.findall(W + "tbl")
    assert len(tables) == 3  # the kept one, the removed one copied back, the added one
    removed, added = tables[1], tables[2]
    assert all(r.find(f"{W}trPr/{W}del") is not None for r in removed.iter(W + "tr"))
    assert all(r.find(f"{W}trPr/{W}ins") is not None for r in added.iter(W + "tr"))
    links = list(body.iter(W + "hyperlink"))
    assert len(links) == 1  # the same link, changed inside
    assert [t.text for t in links[0].iter(W + "delText")] == ["site"]
    assert list(body.iter(W + "delInstrText"))  # the changed field code
    owner = next(s for s in body.iter(W + "sdt") if s.find(f".//{W}tag").get(W + "val") == "owner")
    assert [t.text for t in owner.iter(W + "delText")] == ["Smith"]
    paragraphs = {_text(p): p for p in body.iter(W + "p")}
    assert paragraphs["Prepared for the spring review."].find(f"{W}pPr/{W}rPr/{W}ins") is not None
    removed = paragraphs["This paragraph is removed in the new version."]
    assert removed.find(f"{W}pPr/{W}rPr/{W}del") is not None and not list(removed.iter(W + "t"))
    formatting = next(p for p in body.iter(W + "p") if "Only the formatting" in _text(p))
    assert not list(formatting.iter(W + "ins", W + "del"))  # formatting is not tracked
    assert not list(body.iter(W + "bookmarkStart"))  # the old bookmark is not copied back
    blip = next(body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
    assert blip.getparent() is not None and list(_owner(blip).iter(W + "del"))
    with zipfile.ZipFile(io.BytesIO(red)) as package:
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        embed = blip.get(
            "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
        )
        target = next(r.get("Target") for r in rels if r.get("Id") == embed)
        assert package.read(f"word/{target}") == _PIXEL  # the old image, copied into the package
    notes = dict(_stories(red))["word/footnotes.xml"]
    assert [t.text for t in notes.iter(W + "delText")] == ["2024", "Removed in the new version."]


def test_redlines_pass_openxml_audit_and_open_in_python_docx(
    plan_redlines: dict[str, bytes],
    custom_pair: tuple[bytes, bytes, bytes],
    ooxml_errors: Any,
    tmp_path: Path,
) -> None:
    for name, data in [*plan_redlines.items(), ("custom.docx", custom_pair[2])]:
        path = tmp_path / name
        path.write_bytes(data)
        assert ooxml_errors(path) == [], name
        docx.Document(io.BytesIO(data))


def test_redlines_are_deterministic(
    plan_pair: dict[str, tuple[bytes, bytes]], plan_redlines: dict[str, bytes]
) -> None:
    old, new = plan_pair["action-plan.docx"]
    again = redline(old, new, author=AUTHOR, date=DATE)
    assert again == plan_redlines["action-plan.docx"]
    with zipfile.ZipFile(io.BytesIO(again)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        with zipfile.ZipFile(io.BytesIO(new)) as source:
            assert package.namelist() == source.namelist()
    ids = [int(m.get(W + "id")) for m in _marks(again)]
    assert len(ids) == len(set(ids))


def test_the_same_document_gives_no_revision_and_dates_are_utc(
    plan_pair: dict[str, tuple[bytes, bytes]],
) -> None:
    old, _ = plan_pair["roadmap.docx"]
    assert _marks(redline(old, old, author=AUTHOR, date=DATE)) == []
    before, after = plan_pair["action-plan.docx"]
    when = dt.datetime(2026, 1, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    marks = _marks(redline(before, after, author="A", date=when))
    assert marks and {m.get(W + "date") for m in marks} == {"2026-01-20T14:30:00Z"}


def test_what_is_not_a_word_document_is_refused() -> None:
    word = _custom(new=False)
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(4_000_000)})
    for bad in (
        b"not a zip",
        _zip({"a.txt": b"x"}),
        _zip({"[Content_Types].xml": b"<Types"}),
        bomb,  # compressed 1000:1
    ):
        with pytest.raises(InvalidInputError):
            redline(bad, word, author=AUTHOR, date=DATE)
        with pytest.raises(InvalidInputError):
            redline(word, bad, author=AUTHOR, date=DATE)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return out.getvalue()


# --- In a real LibreOffice ----------------------------------------------------------------------

_UNO_SCRIPT = r'''
"""Open each document in one headless LibreOffice: count its tracked changes, then save its
text as LibreOffice shows it, after accepting or rejecting every change when asked.
argv: soffice, profile URL, pipe name, JSON [[path, mode], ...]; prints JSON {path-mode: ...}."""
import json, subprocess, sys, time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

COMMANDS = {"accept": ".uno:AcceptAllTrackedChanges", "reject": ".uno:RejectAllTrackedChanges"}


def properties(**values):
    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def redlines(document):
    kinds = {}
    found = document.getRedlines().createEnumeration()
    while found.hasMoreElements():
        kind = found.nextElement().getPropertyValue("RedlineType")
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def main():
    soffice, profile, pipe, jobs = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--nologo",
         "--nodefault", "--norestore", "--nolockcheck",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline or office.poll() is not None:
                raise
            time.sleep(0.05)
    manager = context.ServiceManager
    desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
    results = {}
    try:
        for path, mode in jobs:
            document = desktop.loadComponentFromURL(
                Path(path).as_uri(), "_blank", 0,
                properties(Hidden=True, FilterName="MS Word 2007 XML"),
            )
            try:
                result = {"before": redlines(document)}
                if mode in COMMANDS:
                    frame = document.getCurrentController().getFrame()
                    dispatcher.executeDispatch(frame, COMMANDS[mode], "", 0, ())
                result["after"] = redlines(document)
                text = f"{path}.{mode}.txt"
                document.storeToURL(
                    Path(text).as_uri(),
                    properties(FilterName="Text (encoded)", FilterOptions="UTF8,LF,,,"),
                )
                result["text"] = Path(text).read_text(encoding="utf-8-sig").split("\n")
            finally:
                document.close(True)
            results[f"{path}-{mode}"] = result
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        office.wait(timeout=30)
    print(json.dumps(results))


main()
'''


@pytest.mark.libreoffice
def test_libreoffice_sees_the_changes_and_accepts_and_rejects_them(
    plan_pair: dict[str, tuple[bytes, bytes]],
    plan_redlines: dict[str, bytes],
    soffice_profile: str,
    tmp_path: Path,
) -> None:
    """One LibreOffice for all: it lists the redline's changes (insertions and deletions),
    and Accept All / Reject All give the text it shows for the new / the old document."""
    from pipeline.errors import LibreOfficeMissingError
    from pipeline.pdf.office import find_office

    try:
        office = find_office()
    except LibreOfficeMissingError as error:
        pytest.skip(str(error))
    documents = (_custom(new=False, libreoffice=True), _custom(new=True, libreoffice=True))
    cases = {
        "action-plan": (*plan_pair["action-plan.docx"], plan_redlines["action-plan.docx"]),
        "custom": (*documents, redline(*documents, author=AUTHOR, date=DATE)),
    }
    jobs = []
    for name, documents in cases.items():
        for kind, data in zip(("old", "new", "redline"), documents, strict=True):
            (tmp_path / f"{name}-{kind}.docx").write_bytes(data)
        jobs += [[str(tmp_path / f"{name}-{kind}.docx"), mode] for kind, mode in _LIBREOFFICE_JOBS]
    script = tmp_path / "uno_redline.py"
    script.write_text(_UNO_SCRIPT, encoding="utf-8")
    pipe = f"pipeline-redline-{os.getpid()}"
    command = [office.python, str(script), office.soffice, soffice_profile, pipe, json.dumps(jobs)]
    results = json.loads(run_process(command, timeout=120).stdout)
    for name in cases:

        def seen(kind: str, mode: str, name: str = name) -> dict[str, Any]:
            found: dict[str, Any] = results[f"{tmp_path / name}-{kind}.docx-{mode}"]
            return found

        accepted, rejected = seen("redline", "accept"), seen("redline", "reject")
        assert accepted["before"].get("Insert") and accepted["before"].get("Delete"), name
        assert accepted["after"] == {} and rejected["after"] == {}, name
        # LibreOffice keeps the invisible U+200D it puts in an inserted row's empty cells
        accepted_text = [line.replace("\u200d", "") for line in accepted["text"]]
        assert accepted_text == seen("new", "plain")["text"], name
        assert rejected["text"] == seen("old", "plain")["text"], name


_LIBREOFFICE_JOBS = (
    ("old", "plain"),
    ("new", "plain"),
    ("redline", "accept"),
    ("redline", "reject"),
)
