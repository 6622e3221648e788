"""The district's monitoring view: each plan's progress at its latest check-in in its
check.json (`monitoring`) and check.html, and on the dashboard, which sorts and filters the plans
in the page itself (checked in a real browser, headless Chromium, when it is installed)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pipeline.checks import check_plan
from pipeline.checks.engine import PlanCheck
from pipeline.model.plan import Plan
from pipeline.reports.formats import report_json
from pipeline.reports.html import IndexRow, index_html
from pipeline.reports.outputs import REPORT_HTML, REPORT_JSON, plan_reports
from tests.conftest import MINIMAL, plan_of, read_json, run_process

CHECK_INS = [
    {
        "id": "CI1",
        "date": "2025-10-15",
        "period": "Q1 2025-26",
        "reviews": [
            {"benchmark": "B1", "status": "on_track"},
            {"benchmark": "B2", "status": "not_started"},
            {"benchmark": "B3", "status": "on_track"},
        ],
        "next_check_in": "2026-01-20",
    },
    {
        "id": "CI2",
        "date": "2026-01-20",
        "period": "Q2 2025-26",
        "reviews": [
            {"benchmark": "B1", "status": "at_risk"},
            {"benchmark": "B3", "status": "at_risk"},
        ],
        "next_check_in": "2026-03-20",
    },
    {
        "id": "CI3",
        "date": "2026-03-20",
        "reviews": [
            {"benchmark": "B1", "status": "complete"},
            {"benchmark": "B2", "status": "on_track"},
        ],
    },
]


def _monitored(data: dict[str, Any], name: str = "Monitored School") -> dict[str, Any]:
    """The minimal plan with three benchmarks, three check-ins and an outcome result."""
    data["organization"]["name"] = name
    benchmarks = data["action_plan"]["benchmarks"]
    benchmarks[0]["due"] = "2026-01-15"
    benchmarks.append({**benchmarks[0], "id": "B3", "due": "2025-11-15"})
    data["action_plan"]["check_ins"] = copy.deepcopy(CHECK_INS)
    data["outcomes"][0]["results"] = [{"date": "2026-03-01", "value": 23}]
    return data


def _check(data: dict[str, Any]) -> PlanCheck:
    return check_plan(plan_of(data))


def test_the_summary_at_the_latest_check_in(minimal_data: dict[str, Any]) -> None:
    monitoring = report_json([_check(_monitored(minimal_data))])["plans"][0]["monitoring"]
    assert monitoring == {
        "as_of": None,
        "check_in": {"id": "CI3", "date": "2026-03-20", "period": None},
        "check_ins": 3,
        "next_check_in": None,
        "benchmarks": {
            "total": 3,
            "on_track_or_complete": 2,
            "share_on_track_or_complete": 0.6667,
            "by_status": {
                "not_started": 0,
                "on_track": 1,
                "at_risk": 1,  # B3: its status at CI2, the latest check-in that reviewed it
                "off_track": 0,
                "complete": 1,
                "not_recorded": 0,
            },
            "overdue": 1,
            "overdue_ids": ["B3"],  # B1 was due before too, but is complete
        },
        "outcomes": {
            "measured": 1,
            "met": 1,  # 23 against the interim target of 22
            "not_met": 0,
            "not_measured": 0,
            "no_target": 0,
            "other_unit": 0,
        },
    }


def test_the_summary_as_of_an_earlier_date(minimal_data: dict[str, Any]) -> None:
    check = _check(_monitored(minimal_data))
    monitoring = report_json([check], dt.date(2026, 2, 1))["plans"][0]["monitoring"]
    assert monitoring["as_of"] == "2026-02-01"
    assert monitoring["check_in"] == {"id": "CI2", "date": "2026-01-20", "period": "Q2 2025-26"}
    assert monitoring["check_ins"] == 2
    assert monitoring["next_check_in"] == "2026-03-20"
    benchmarks = monitoring["benchmarks"]
    assert (benchmarks["total"], benchmarks["on_track_or_complete"]) == (3, 0)
    assert benchmarks["share_on_track_or_complete"] == 0.0
    assert benchmarks["by_status"]["at_risk"] == 2 and benchmarks["by_status"]["not_started"] == 1
    assert benchmarks["overdue_ids"] == ["B3", "B1"]  # by due date
    assert monitoring["outcomes"]["met"] == 0  # the result of March is not in yet
    assert monitoring["outcomes"]["not_measured"] == 1
    # before the first check-in, and without any: nothing to show
    assert report_json([check], dt.date(2025, 9, 1))["plans"][0]["monitoring"] is None
    assert report_json([check_plan(_minimal())])["plans"][0]["monitoring"] is None


def _minimal() -> Plan:
    return plan_of(read_json(MINIMAL))


def test_check_json_and_check_html_carry_the_monitoring(minimal_data: dict[str, Any]) -> None:
    check = _check(_monitored(minimal_data))
    reports = plan_reports(check, as_of=dt.date(2026, 2, 1))
    data = json.loads(reports[REPORT_JSON])
    assert data["version"] == 1  # an added field: same version
    assert data["plans"][0]["monitoring"]["check_in"]["id"] == "CI2"
    page = reports[REPORT_HTML].decode("utf-8")
    assert "Progress at the latest check-in as of 2026-02-01" in page
    assert "Check-in <strong>CI2</strong> on <strong>2026-01-20</strong> (Q2 2025-26)" in page
    assert "Overdue: <strong>2</strong>: B3, B1." in page
    assert "<script" not in page  # the check report needs no script
    without = plan_reports(check_plan(_minimal()))[REPORT_HTML].decode("utf-8")
    assert "Progress at the latest check-in" not in without


# ---------------------------------------------------------------------------------------------
# the dashboard


class _Table(HTMLParser):
    """The dashboard's table: the headings' attributes, each row's attributes and cells
    (attributes and text); and the page's scripts (inline or not)."""

    def __init__(self) -> None:
        super().__init__()
        self.heads: list[dict[str, str | None]] = []
        self.rows: list[tuple[dict[str, str | None], list[tuple[dict[str, str | None], str]]]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.form: dict[str, str | None] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        elif tag == "form":
            self.form = found
        elif tag == "th":
            self.heads.append(found)
        elif tag == "tr" and "data-status" in found:
            self.rows.append((found, []))
        elif tag == "td" and self.rows:
            self.rows[-1][1].append((found, ""))
            self._cell = []
        elif self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            attrs, _ = self.rows[-1][1][-1]
            self.rows[-1][1][-1] = (attrs, " ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _rows(minimal_data: dict[str, Any]) -> list[IndexRow]:
    """Four plans with check-ins (two behind), one without, one invalid input."""
    rows = []
    specs = [  # name, B3's status at CI3 (B3 overdue unless complete), B2's status
        ("Alder <School> & Co", "complete", "on_track"),  # 3/3, nothing overdue: not behind
        ("Birch School", "at_risk", "on_track"),  # 2/3, B3 overdue: behind
        ("Cedar School", "complete", "off_track"),  # 2/3 = 67% < 75%: behind
        ("Dogwood School", "at_risk", "off_track"),  # 1/3, B3 overdue: behind
    ]
    for index, (name, b3, b2) in enumerate(specs):
        data = _monitored(copy.deepcopy(minimal_data), name)
        data["organization"]["code"] = f"0245{index:04d}"
        reviews = data["action_plan"]["check_ins"][2]["reviews"]
        reviews[1]["status"] = b2
        reviews.append({"benchmark": "B3", "status": b3})
        if name.startswith("Dogwood"):
            data["outcomes"][0]["results"] = [{"date": "2026-03-01", "value": 20}]
        report = report_json([_check(data)])
        rows.append(IndexRow(f"inputs/{index}.json", f"plan-{index}", report["plans"][0]))
    plain = copy.deepcopy(minimal_data)
    plain["organization"]["name"] = "Elm School"
    report = report_json([_check(plain)])
    rows.append(IndexRow("inputs/elm.json", "elm", report["plans"][0]))
    rows.append(IndexRow("inputs/bad.xlsx", problems=["B2: required"]))
    return rows


def test_the_dashboard_rows_carry_each_plans_progress(minimal_data: dict[str, Any]) -> None:
    html = index_html(_rows(minimal_data))
    page = _Table()
    page.feed(html)
    assert '<a href="plan-3/progress-report.docx" title="Open the progress report">' in html
    titles = [head.get("title") for head in page.heads]
    kinds = [head.get("data-type") for head in page.heads]
    assert kinds[:6] == ["text", "number", "date", "number", "number", "number"]
    assert kinds[-1] is None  # the findings link
    assert all(len(cells) == len(page.heads) for _, cells in page.rows)
    rows = {cells[0][1].split(" inputs/")[0]: (attrs, cells) for attrs, cells in page.rows}
    assert list(rows) == [  # invalid, then drafts, then complete ones, by name
        "inputs/bad.xlsx",
        "Alder <School> & Co",
        "Birch School",
        "Cedar School",
        "Dogwood School",
        "Elm School",
    ]
    behind = {name: attrs["data-behind"] for name, (attrs, _) in rows.items()}
    assert behind == {
        "inputs/bad.xlsx": "false",
        "Alder <School> & Co": "false",
        "Birch School": "true",
        "Cedar School": "true",
        "Dogwood School": "true",
        "Elm School": "false",
    }
    attrs, cells = rows["Dogwood School"]
    assert attrs["data-status"] == "complete"
    assert attrs["data-name"] == "dogwood school inputs/3.json"
    date, share, overdue, outcomes = cells[2:6]
    assert date == ({"data-sort": "2026-03-20", "title": "Check-in CI3; 3 this year"},
                    "2026-03-20 CI3 progress report")  # fmt: skip
    assert share[0]["data-sort"] == "0.3333" and share[1] == "33% 1/3"
    assert overdue == ({"data-sort": "1", "title": "B3"}, "1")
    assert outcomes[0]["data-sort"] == "0.0000" and outcomes[1] == "0 met 1 not met"
    assert rows["Alder <School> & Co"][1][3][1] == "100% 3/3"
    assert rows["Alder <School> & Co"][1][5][0]["data-sort"] == "1.0000"
    for name in ("Elm School", "inputs/bad.xlsx"):  # no check-in: '—', sorting last
        assert [cell for cell in rows[name][1][2:6]] == [
            ({"class": "muted", "data-sort": ""}, "—")
        ] * 4
    assert rows["inputs/bad.xlsx"][1][1][0]["data-sort"] == "0"  # invalid first by status
    assert titles[2] == "The date of the plan's latest check-in"
    # scripts: one, inline; the filters show only when it runs; no row hidden without it
    assert page.scripts == [{}]
    assert page.form is not None and "hidden" in page.form
    assert not any("hidden" in attrs for attrs, _ in page.rows)


def test_the_dashboard_escapes_what_plans_say(minimal_data: dict[str, Any]) -> None:
    html = index_html(_rows(minimal_data))
    assert "Alder &lt;School&gt; &amp; Co" in html
    assert 'data-name="alder &lt;school&gt; &amp; co inputs/0.json"' in html
    assert "<School>" not in html


def test_a_check_json_from_before_monitoring_shows_no_check_in(
    minimal_data: dict[str, Any],
) -> None:
    plan = report_json([_check(_monitored(minimal_data))])["plans"][0]
    del plan["monitoring"]
    page = _Table()
    page.feed(index_html([IndexRow("old.json", "old", plan)]))
    assert [text for _, text in page.rows[0][1][2:6]] == ["—"] * 4


def test_the_dashboard_says_the_date_its_progress_is_as_of(minimal_data: dict[str, Any]) -> None:
    report = report_json([_check(_monitored(minimal_data))], dt.date(2026, 2, 1))
    html = index_html([IndexRow("a.json", "a", report["plans"][0])])
    assert "Progress is at each plan's latest check-in on or before 2026-02-01." in html
    assert ">2026-01-20<" in html


# ---------------------------------------------------------------------------------------------
# in a real browser

_CLICKS = """<script>
(function () {
  var heads = Array.prototype.slice.call(document.querySelectorAll("#plans thead th"));
  function column(title) {
    return heads.filter(function (th) { return th.textContent.indexOf(title) === 0; })[0];
  }
  function names() {
    return Array.prototype.filter.call(document.querySelectorAll("#plans tbody tr"),
      function (row) { return !row.hidden; })
      .map(function (row) { return row.cells[0].querySelector("strong, code").textContent; });
  }
  var seen = {};
  var overdue = column("Overdue");
  overdue.querySelector("button").click();
  seen.overdue_up = names();
  seen.overdue_up_aria = overdue.getAttribute("aria-sort");
  overdue.querySelector("button").click();
  seen.overdue_down = names();
  seen.overdue_down_aria = overdue.getAttribute("aria-sort");
  column("On track").querySelector("button").click();
  seen.share_up = names();
  seen.overdue_after = overdue.getAttribute("aria-sort");
  column("Latest").querySelector("button").click();
  column("Latest").querySelector("button").click();
  seen.date_down = names();
  column("Plan").querySelector("button").click();
  seen.name_up = names();
  var behind = document.getElementById("filter-behind");
  behind.checked = true;
  behind.dispatchEvent(new Event("change"));
  seen.behind = names();
  seen.shown = document.getElementById("filter-shown").textContent;
  behind.checked = false;
  var name = document.getElementById("filter-name");
  name.value = "CEDAR";
  name.dispatchEvent(new Event("input"));
  seen.named = names();
  name.value = "";
  name.dispatchEvent(new Event("input"));
  var status = document.getElementById("filter-status");
  status.value = "invalid";
  status.dispatchEvent(new Event("change"));
  seen.invalid = names();
  seen.form_hidden = document.getElementById("filters").hidden;
  var out = document.createElement("pre");
  out.id = "seen";
  out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
})();
</script>
</body>"""


def _dump_dom(page: Path, profile: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium): no browser to run "
                    "the dashboard's script in")  # fmt: skip
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1300,900",
        "--dump-dom",
        page.as_uri(),
    ]
    result = run_process(command, timeout=30)
    return result.stdout.decode("utf-8")


def test_the_dashboard_sorts_and_filters_in_a_browser(
    minimal_data: dict[str, Any], tmp_path: Path
) -> None:
    page = tmp_path / "index.html"
    html = index_html(_rows(minimal_data))
    page.write_text(html.replace("</body>", _CLICKS), encoding="utf-8")
    dom = _dump_dom(page, tmp_path / "profile")
    start = dom.index('<pre id="seen">') + len('<pre id="seen">')
    seen = json.loads(
        dom[start : dom.index("</pre>", start)]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
    alder, birch, cedar, dogwood, elm = (
        "Alder <School> & Co",
        "Birch School",
        "Cedar School",
        "Dogwood School",
        "Elm School",
    )
    bad = "inputs/bad.xlsx"
    # numbers sort as numbers, ties keep the order they had; no check-in: last either way
    assert seen["overdue_up"] == [alder, cedar, birch, dogwood, bad, elm]
    assert seen["overdue_up_aria"] == "ascending"
    assert seen["overdue_down"] == [birch, dogwood, alder, cedar, bad, elm]
    assert seen["overdue_down_aria"] == "descending"
    assert seen["share_up"] == [dogwood, birch, cedar, alder, bad, elm]
    assert seen["overdue_after"] == "none"
    assert seen["date_down"] == [dogwood, birch, cedar, alder, bad, elm]  # one date: kept
    assert seen["name_up"][:5] == [alder, birch, cedar, dogwood, elm]
    assert seen["behind"] == [birch, cedar, dogwood]
    assert seen["shown"] == "3 of 6 plan(s) shown"
    assert seen["named"] == [cedar]
    assert seen["invalid"] == [bad]
    assert seen["form_hidden"] is False
