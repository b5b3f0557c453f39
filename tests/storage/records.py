"""Real records for the storage tests, written by hand from rows of ../shared/data.

Values are copied from the exports named on each function (J-PlatPat for the Japanese documents;
PatentsView — "USPTO PatentsView", CC BY 4.0 —, Lens.org and Google Patents for the US ones).
Importers may not exist yet, so these are built as `Patent` objects directly; the dedupe keys follow
the ``{country}-{series}-{number}`` shape but are only opaque strings to the store.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
from collections.abc import Iterator
from pathlib import Path

from tsunagu.domain.codes import split_fi
from tsunagu.domain.patent import Patent

# J-PlatPat 「特実_国内文献.csv」 ⑬, row 特開2021-060906: the start of its 要約 as exported (<BR>, CRLF).
ABSTRACT_2021_060906 = (
    "(57)【要約】\r\n【課題】第一他車両の走行車線上の前方を第二他車両が<BR>走行しているシーンにおいて、"
    "第二他車両の走行安定性<BR>が低い場合、第一他車両の車線変更を早期に予測するこ<BR>と。\r\n"
    "【解決手段】自車両Ｖの周囲に他車両が検出されると他<BR>車両の挙動を予測する挙動予測コントローラ０１０を備<BR>"
    "える周囲車両挙動予測方法において、挙動予測コントロ<BR>ーラ０１０は、自車両Ｖの前方であって、同一の走行車<BR>"
    "線Ｌ２を走行している複数の他車両を予測対象車両とし<BR>て特定する。\r\n【選択図】図１２\r\n"
)


def jplatpat_2021_060906() -> Patent:
    """特開2021-060906 as J-PlatPat exports it (two applicants, one with a full-width space)."""
    return Patent(
        key="JP-A-2021060906",
        publication_number="JP2021060906A",
        original_numbers=("特開2021-060906",),
        country="JP",
        series="A",
        kind="A",
        title="周囲車両挙動予測方法、車両制御方法及び周囲車両挙動予測装置",
        abstract=ABSTRACT_2021_060906,
        language="ja",
        applicants=("ルノー\u3000エス．ア．エス．", "日産自動車株式会社"),
        fi_codes=tuple(split_fi("G08G1/16@C,B60W40/04,B60W50/14,B60W40/06")),
        ipc_codes=("G08G1/16", "B60W40/04", "B60W50/14", "B60W40/06"),
        application_number="特願2019-185923",
        filing_date="2019-10-09",
        publication_date="2021-04-15",
        url="https://www.j-platpat.inpit.go.jp/c1800/PU/JP-2021-060906/"
        "A06BA4B67D4174C4E80558CC4078C4B8486F3BD8B1F9EF9AD3096409A3159AF0/11/ja",
    ).with_source("jplatpat_csv")


def jplatpat_2005_346371() -> Patent:
    """特開2005-346371 (granted as 特許4400316) as J-PlatPat exports it, without its abstract."""
    return Patent(
        key="JP-A-2005346371",
        publication_number="JP2005346371A",
        original_numbers=("特開2005-346371", "特許4400316"),
        country="JP",
        series="A",
        kind="A",
        title="運転意図推定装置、車両用運転操作補助装置および車両用運転操作補助装置を備えた車両",
        language="ja",
        applicants=("日産自動車株式会社",),
        fi_codes=tuple(split_fi("A61B5/18,B60K26/04,B60K41/00,390,B60W40/08,B60W50/08,260,G08G1/16@C")),
        ipc_codes=("A61B5/18", "B60K26/04", "B60K41/00", "B60W40/08", "B60W50/08", "G08G1/16"),
        application_number="特願2004-164754",
        filing_date="2004-06-02",
        publication_date="2005-12-15",
    ).with_source("jplatpat_csv")


def aggregator_2005_346371() -> Patent:
    """The same document as an aggregator would list it.

    Constructed (no Lens export here covers this JP document): a bibliographic-only record in the
    Lens style, with an upper-case applicant, a different title and a Lens-style number.
    """
    return Patent(
        key="JP-A-2005346371",
        publication_number="JP2005346371A",
        original_numbers=("JP 2005346371 A",),
        country="JP",
        kind="A",
        title="DRIVING INTENTION ESTIMATING DEVICE",
        applicants=("NISSAN MOTOR",),
        cpc_codes=("B60W40/09",),
        family_id="LENS-FAMILY-1",
        filing_date="2004-06-02",
    ).with_source("lens_csv")


def patentsview_6084510() -> Patent:
    """US 6084510 from PatentsView's "neural network" query (title, abstract, grant date only)."""
    return Patent(
        key="US-B-6084510",
        publication_number="US6084510A",
        original_numbers=("6084510",),
        country="US",
        title="Danger warning and emergency response system and method",
        abstract=(
            "Surveillance platforms in airborne craft (8,10), land based vehicles (12), vessels at sea or "
            "fixed structures (14) detect dangers using conventional scanners and transmit information "
            "signals describing the dangers to a control center (2) which analyzes the data and "
            "determines the degree of danger and its geographic extent."
        ),
        language="en",
        grant_date="2000-07-04",
        publication_date="2000-07-04",
    ).with_source("patentsview_csv")


def lens_6084510() -> Patent:
    """US 6084510 from the Lens drones export (bibliographic, no abstract)."""
    return Patent(
        key="US-B-6084510",
        publication_number="US6084510A",
        original_numbers=("US 6084510 A",),
        country="US",
        kind="A",
        title="Danger Warning And Emergency Response System And Method",
        applicants=("LEMELSON; JEROME H.", "PEDERSEN; ROBERT D."),
        inventors=("LEMELSON JEROME H", "PEDERSEN ROBERT D"),
        cpc_codes=("G08G1/164", "G01S19/17", "G08B15/004", "G08B21/10"),
        ipc_codes=("G01S19/48", "G08B21/10"),
        application_number="US 84402997 A",
        filing_date="1997-04-18",
        publication_date="2000-07-04",
        url="https://lens.org/146-378-092-244-730",
        extra={"lens_id": "146-378-092-244-730", "cited_count": "436"},
    ).with_source("lens_csv")


def google_6144954() -> Patent:
    """US 6144954 from the Google Patents "thinking machines" search."""
    return Patent(
        key="US-B-6144954",
        publication_number="US6144954A",
        original_numbers=("US-6144954-A",),
        country="US",
        kind="A",
        title="Automatic development of computer software",
        applicants=("Li; Chou H.",),
        inventors=("Chou H. Li",),
        filing_date="1998-01-27",
        priority_date="1998-01-27",
        publication_date="2000-11-07",
        grant_date="2000-11-07",
        url="https://patents.google.com/patent/US6144954A/en",
    ).with_source("google_patents_csv")


def lens_6144954() -> Patent:
    """US 6144954 from the Lens jet-engine export (same rank as Google Patents)."""
    return Patent(
        key="US-B-6144954",
        publication_number="US6144954A",
        original_numbers=("US 6144954 A",),
        country="US",
        kind="A",
        title="Automatic Development Of Computer Software",
        applicants=("LI; CHOU H.",),
        inventors=("LI CHOU H",),
        ipc_codes=("G05B19/042", "G06F9/44"),
        application_number="US 1443598 A",
        filing_date="1998-01-27",
        publication_date="2000-11-07",
        url="https://lens.org/183-321-998-859-832",
    ).with_source("lens_csv")


def sample() -> list[Patent]:
    """Four distinct documents from four sources."""
    return [jplatpat_2021_060906(), jplatpat_2005_346371(), patentsview_6084510(), google_6144954()]


def read_jplatpat(path: Path, limit: int | None = None) -> Iterator[Patent]:
    """A minimal reading of a J-PlatPat CSV export, enough to feed the store real rows.

    Not the project's importer: keys are ``JP-<文献番号>`` as written, fields are copied raw.
    """
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh)):
            if limit is not None and n >= limit:
                return
            numbers = tuple(
                dict.fromkeys(v for v in (row["文献番号"], row["公開番号"], row["登録番号"]) if v)
            )
            yield Patent(
                key=f"JP-{row['文献番号']}",
                publication_number=row["文献番号"],
                original_numbers=numbers,
                country="JP",
                title=row["発明の名称"],
                abstract=row["要約"],
                language="ja",
                applicants=tuple(a for a in row["出願人/権利者"].split(",") if a),
                fi_codes=tuple(split_fi(row["FI"])),
                application_number=row["出願番号"],
                filing_date=row["出願日"].replace("/", "-"),
                publication_date=row["公知日"].replace("/", "-"),
                url=row["文献URL"],
            ).with_source("jplatpat_csv")


def everything(patent: Patent) -> dict[str, object]:
    """Every field, including those `Patent.__eq__` ignores (``field_sources``, ``extra``)."""
    return dataclasses.asdict(patent)
