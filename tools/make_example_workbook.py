"""Make inputs/maple-street-elementary.xlsx, the example workbook, with the pipeline's converter.

It is the Harbor View example's plan carried over to a third school of the same district, Maple
Street Elementary (its own name, code, principal, address and enrollment), so that no two inputs
describe one organization. Run `make example-workbook` after changing the Harbor View example or
the workbook layout; then check the result in `git diff --stat` and commit it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inputs.interchange import convert  # noqa: E402

SOURCE = ROOT / "inputs" / "harbor-view-elementary.json"
TARGET = ROOT / "inputs" / "maple-street-elementary.xlsx"
RENAMED = {
    "Harbor View Elementary School": "Maple Street Elementary School",
    "Harbor View": "Maple Street",
    "Elena Marques": "Daniel Okafor",
    "Marques": "Okafor",
}


def main() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    for old, new in RENAMED.items():
        text = text.replace(old, new)
    data = json.loads(text)
    data["organization"].update(
        code="02450405", enrollment=388, address="61 Maple Street, Riverton, Massachusetts"
    )
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "maple-street-elementary.json"
        source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        for warning in convert(source, TARGET, force=True):
            print(f"Warning: {warning}", file=sys.stderr)
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
