"""USPTO Greenbook (APS text) importer (`tsunagu.sources.uspto_greenbook`), on real patents."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.sources.base import SkippedRecord
from tsunagu.sources.uspto_greenbook import UsptoGreenbookSource

USPTO = Path(__file__).resolve().parents[1] / "data" / "uspto_xml"
SOURCE = UsptoGreenbookSource()
BOAT = (USPTO / "US03937375.greenbook").read_bytes()
PHONE = gzip.decompress((USPTO / "US03932709.greenbook.gz").read_bytes())


def _read(data: bytes) -> list[Patent | SkippedRecord]:
    return list(SOURCE.read(io.BytesIO(data), "test.greenbook"))  # type: ignore[arg-type]


def test_single_patent() -> None:
    (p,) = _read(BOAT)
    assert isinstance(p, Patent)
    assert (p.key, p.publication_number, p.kind) == ("US-B-3937375", "US3937375A", "A")
    assert p.original_numbers == ("US03937375A",)
    assert p.title == "Bumper support for a boat loader"
    assert p.inventors == p.applicants == ("Everette E. Daniels",)  # "Daniels; Everette E."
    assert p.ipc_codes == ("B60R9/00",)  # "B60R  900"
    assert p.extra["uspc"] == ["224/42.07", "214/450"]
    assert (p.application_number, p.filing_date, p.grant_date) == ("US05518454", "1974-10-29", "1976-02-10")
    assert p.abstract.startswith(
        "A unit mountable on a rear bumper of a vehicle, and which does not interfere"
    )
    assert "  " not in p.abstract  # continuation lines joined
    claims = p.claims.split("\n")
    assert len(claims) == 3
    assert claims[0].startswith("1. In a bumper support for a boat loader")
    assert p.extra["cited_patents"] == ["US2542907", "US2762542", "US2772799", "US3113789", "US3702197"]
    assert p.sources == ("uspto_greenbook",)


def test_assignee_related_application_and_many_claims() -> None:
    (p,) = _read(PHONE)
    assert isinstance(p, Patent)
    assert p.applicants == ("General Teletronics Incorporated",)
    assert p.inventors == ("Don G. Hoff", "Patrick Young")
    assert p.priority_date == "1973-04-16"  # the parent application (RLAP)
    assert p.extra["uspc"][:2] == ["179/90K", "179/2DD"]
    assert len(p.claims.split("\n")) == 17


def test_weekly_file_with_header_and_a_damaged_record() -> None:
    damaged = BOAT.replace(b"WKU  039373754\n", b"")
    data = b"HHHHHT  APS1 WEEKLY\n" + PHONE + damaged + BOAT
    items = _read(data)
    assert [type(i).__name__ for i in items] == ["Patent", "SkippedRecord", "Patent"]
    bad = items[1]
    assert isinstance(bad, SkippedRecord)
    assert bad.reason == "no_number"
    assert bad.line == PHONE.count(b"\n") + 2
    assert [i.extra["document_index"] for i in items if isinstance(i, Patent)] == [1, 3]


def test_sniff() -> None:
    assert SOURCE.sniff("US03937375.greenbook", BOAT[:65536])
    assert SOURCE.sniff("week.txt", b"HHHHHT  APS1\n" + BOAT[:1000])
    assert not SOURCE.sniff("a.txt", b"PATENT\nWKU 1\n")
    assert not SOURCE.sniff(
        "css_brs_sample.txt", b"09204581\tB2\t20151201\n*** BRS DOCUMENT BOUNDARY ***\nWKU 0920"
    )


@pytest.mark.shared
def test_all_samples(shared_data: Path) -> None:
    numbers = []
    for path in sorted((shared_data / "formats" / "uspto_samples" / "greenbook").glob("*.greenbook")):
        (p,) = _read(path.read_bytes())
        assert isinstance(p, Patent)
        assert p.title and p.abstract and p.claims and p.ipc_codes
        numbers.append(p.publication_number)
    assert numbers == ["US3932709A", "US3937375A", "US4347903A"]
