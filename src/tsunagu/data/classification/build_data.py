"""Rebuild the compressed classification tables in this folder from ``../shared/data/classification``.

Run from the repository root:
``python src/tsunagu/data/classification/build_data.py [SHARED_CLASSIFICATION_DIR]``.
Not imported by tsunagu; kept so the committed files can be regenerated and checked.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _ipc_rows(src: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    with (src / "ipc_2019_titles_en.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["level"] == "subgroup":
                continue
            rows.append((r["symbol"], r["level"], "2019.01", r["title"]))
            seen.add(r["symbol"])

    def walk(node: dict, level: int) -> None:
        symbol = node["symbol"].replace(" ", "")
        levels = ("section", "class", "subclass", "main_group")
        if level < len(levels) and symbol not in seen and (level < 3 or symbol.endswith("/00")):
            text = re.sub(r"^SECTION [A-H] — ", "", node["text"])
            rows.append((symbol, levels[level], "2006", text))
            seen.add(symbol)
        if level < 3:
            for child in node.get("children", []):
                walk(child, level + 1)

    for letter in "ABCDEFGH":
        walk(json.loads((src / "ipcr_taxonomy_2006" / f"{letter}.json").read_text(encoding="utf-8")), 0)
    return rows


def _wipo_rows(src: Path) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    path = src / "ipc_technology_concordance_wipo35.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            pattern = r["IPC_code"].rstrip("%")
            m = re.match(r"^([A-H]\d\d[A-Z])\s*(\d+)?\s*(/?)\s*(\d*)$", pattern)
            if not m:
                raise ValueError(f"unexpected concordance pattern {r['IPC_code']!r}")
            sub, group, slash, subgroup = m.groups()
            prefix = sub + (group or "") + slash + subgroup
            out.append((r["Field_number"], r["Sector_en"], r["Field_en"], prefix))
    return out


def main(argv: list[str]) -> None:
    src = Path(argv[1]) if len(argv) > 1 else HERE.parents[3] / ".." / "shared" / "data" / "classification"
    rows = _ipc_rows(src)
    with gzip.open(HERE / "ipc_titles.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("symbol\tlevel\tedition\ttitle\n")
        for row in rows:
            fh.write("\t".join(x.replace("\t", " ").replace("\n", " ") for x in row) + "\n")
    with gzip.open(HERE / "wipo35_concordance.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write("field_number\tsector_en\tfield_en\tipc_prefix\n")
        for row in _wipo_rows(src):
            fh.write("\t".join(row) + "\n")
    print(f"{len(rows)} IPC titles written")


if __name__ == "__main__":
    main(sys.argv)
