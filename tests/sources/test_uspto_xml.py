"""USPTO full-text XML importer (`tsunagu.sources.uspto_xml`), on real documents."""

from __future__ import annotations

import gzip
import http.server
import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import SkippedRecord
from tsunagu.sources.files import InputFile, iter_input_files
from tsunagu.sources.uspto_record import iso_date, normalise_ipc7, uspc_code
from tsunagu.sources.uspto_xml import UsptoXmlSource, split_xml_documents
from tsunagu.sources.xmltext import element_text, new_parser, parse_document

DATA = Path(__file__).resolve().parents[1] / "data"
USPTO = DATA / "uspto_xml"
DAMAGED = DATA / "damaged"
SOURCE = UsptoXmlSource()


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _read(data: bytes, path: str = "test.xml") -> list[Patent | SkippedRecord]:
    items = list(SOURCE.read(io.BytesIO(data), path))
    assert all(isinstance(i, Patent | SkippedRecord) for i in items)
    return items  # type: ignore[return-value]


def _patents(path: Path) -> list[Patent]:
    return [i for i in _read(_bytes(path), str(path)) if isinstance(i, Patent)]


def _one(path: Path) -> Patent:
    (patent,) = _patents(path)
    return patent


# --- v4.x grants and applications --------------------------------------------------------------


def test_v45_grant_with_cpc() -> None:
    p = _one(USPTO / "US08926509.xml.gz")
    assert (p.key, p.publication_number, p.country, p.series, p.kind) == (
        "US-B-8926509", "US8926509B2", "US", "B", "B2"
    )  # fmt: skip
    assert p.original_numbers == ("US08926509B2",)
    assert p.title == "Wireless physiological sensor patches and systems"
    assert p.abstract.startswith("The present invention provides methods, devices, and systems for wireless")
    assert p.claims.startswith("1. A system for measuring physiological signals, comprising:")
    assert p.claims.count("\n") + 1 == len([c for c in p.claims.split("\n") if c[:1].isdigit()])
    assert p.applicants == ("Hmicro, Inc.",)  # the assignee
    assert p.inventors == ("Surendar Magar", "Venkateswara Rao Sattiraju", "Ali Niknejad", "Louis Yun",
                           "James C. Beck")  # fmt: skip
    assert p.extra["applicants"] == list(p.inventors)  # the applicants element is kept in extra
    assert p.ipc_codes[:4] == ("A61B5/00", "A61B5/0205", "A61B5/0404", "A61B5/11")
    assert len(p.ipc_codes) == len(set(p.ipc_codes)) == 14
    assert p.cpc_codes[:3] == ("A61B5/0205", "A61B5/0024", "A61B5/0404")
    assert "A61B2560/0209" in p.cpc_codes
    assert (p.application_number, p.filing_date) == ("US12134151", "2008-06-05")
    assert (p.publication_date, p.grant_date) == ("2015-01-06", "2015-01-06")
    assert p.priority_date == "2007-08-24"  # a provisional application, earlier than the filing
    assert p.language == "en"
    assert p.extra["doc_format"] == "us-patent-grant v4.5 2014-04-03"
    assert p.extra["uspc"][:2] == ["600/301", "600/300"]
    assert len(p.extra["cited_patents"]) == 129
    assert p.extra["cited_patents"][0] == "US4313443A"
    assert p.sources == ("uspto_xml",)
    assert p.field_sources["title"] == "uspto_xml"


def test_v42_design_grant_with_regional_priority() -> None:
    p = _one(USPTO / "2009_1.xml")
    assert (p.key, p.publication_number) == ("US-B-D586076", "USD586076S1")
    assert p.title == "Confectionery product"
    assert p.abstract == ""  # design patents have none
    assert p.claims == "The ornamental design for a confectionery product, as shown and described."
    assert p.applicants == ("Soremartec S.A.",)
    assert p.inventors == ("Mario Scavino",)
    assert p.priority_date == "2007-05-22"  # EM priority claim
    assert p.ipc_codes == ()  # Locarno only
    assert p.extra["application_type"] == "design"
    assert p.extra["uspc"] == ["D1/121"]
    assert p.extra["cited_patents"][:2] == ["USD59760S", "USD90339S"]


def test_v40_weekly_cut_with_ipc7_fixed_width_codes() -> None:
    patents = _patents(USPTO / "ipg050104.cut.xml.gz")
    assert [p.publication_number for p in patents] == ["US6836899B1", "US6836979B2", "US6837063B1"]
    first, second, third = patents
    assert first.ipc_codes == ("A45F5/04",)  # written "A45F  504"
    assert second.ipc_codes == ("A43B13/14", "A43B23/00")  # "A43B 1314", "A43B 2300"
    assert third.ipc_codes == ("F25D23/12", "F25D27/00", "F28D15/00", "H05K7/20")
    assert first.applicants == first.inventors == ("Samuel G. Glasmire",)  # applicant-inventor
    assert third.applicants == ("Dell Products L.P.",)
    assert third.inventors == ("Charles D. Hood, III", "Curtis L. Progl")
    assert first.extra["uspc"] == ["2/52", "2/336", "2/323", "24/9", "24/303", "24/3.4"]
    assert second.extra["uspc"][-1] == "12/142E"
    assert [p.extra["document_index"] for p in patents] == [1, 2, 3]


def test_v41_weekly_cut_skips_sequence_listings_with_their_position() -> None:
    items = _read(_bytes(USPTO / "ipg060103.cut.xml.gz"), "ipg060103.cut.xml.gz")
    kinds = [i.publication_number if isinstance(i, Patent) else i.reason for i in items]
    assert kinds == ["USD513425S1", "USD513434S1", "US6982130B2", "sequence_listing", "US6982157B1",
                     "sequence_listing"]  # fmt: skip
    seq = [i for i in items if isinstance(i, SkippedRecord)]
    assert [(s.path, s.line) for s in seq] == [("ipg060103.cut.xml.gz", 831), ("ipg060103.cut.xml.gz", 3035)]
    assert seq[0].message.startswith("document 4 (line 831)")
    drug = items[4]
    assert isinstance(drug, Patent)
    assert drug.applicants == ("AstraZeneca AB", "Shionogi & Co., Ltd.")
    assert drug.priority_date == "1999-02-06"
    assert drug.ipc_codes == ("C12N9/99",)
    assert drug.extra["cited_patents"][-1] == "WO1999022728"


def test_v40_application() -> None:
    p = _one(USPTO / "US20050004437A1.xml")
    assert (p.key, p.publication_number, p.series) == ("US-A-20050004437", "US20050004437A1", "A")
    assert p.grant_date == ""
    assert p.publication_date == "2005-01-06"
    assert p.title == "Simulation device for playful evaluation and display of blood sugar levels"
    assert p.inventors == ("Heiner Kaufmann", "Thomas Vering")
    assert p.ipc_codes == ("A61B5/00",)
    assert p.priority_date == "2001-10-26"
    assert p.extra["uspc"] == ["600/300", "128/905", "345/952"]


# --- 2001-2004 dialects ----------------------------------------------------------------------------


def test_pap_publication_with_named_and_greek_entities() -> None:
    p = _one(USPTO / "US20010000943A1.xml.gz")
    assert (p.key, p.publication_number) == ("US-A-20010000943", "US20010000943A1")
    assert p.title == "Organic electroluminescence device and method of manufacturing same"
    assert p.applicants == ("IDEMITSU KOSAN CO., LTD.",)
    assert p.inventors == ("Kenichi Fukuoka", "Mitsura Eida")
    assert p.ipc_codes == ("H01J1/62",)  # written "H01J001/62"
    assert p.extra["uspc"] == ["313/503", "313/504"]
    assert (p.filing_date, p.priority_date) == ("2000-12-04", "1999-04-05")  # JP priority
    assert p.extra["doc_format"] == "patent-application-publication pap-v15-2001-01-31"
    assert "−" in p.claims  # &minus;
    assert "&" not in p.claims.replace("&amp;", "")  # every named entity resolved
    # ISO Greek entities (not HTML5 names) in the description: "5-&agr; ,&agr;-dimethylbenzyl"
    root = parse_document(_bytes(USPTO / "US20010000943A1.xml.gz"))
    texts = [element_text(para) for para in root.iter("paragraph")]
    assert any("5-α ,α-dimethylbenzyl" in t for t in texts)


def test_pap_without_declaration_and_with_url_doctype() -> None:
    p = _one(USPTO / "US20010000044A1.xml.gz")
    assert p.publication_number == "US20010000044A1"
    assert p.applicants == p.inventors == ("Wayne W Lin",)  # no assignee: the inventor applied
    assert p.ipc_codes == ("G06F17/60",)


def test_patdoc_grants() -> None:
    p = _one(USPTO / "US06336130.xml")
    assert (p.key, p.publication_number) == ("US-B-6336130", "US6336130B1")
    assert p.title == "Arrangement for improving availability of services in a communication system"
    assert p.applicants == ("Telefonaktiebolaget LM Ericsson (publ)",)
    assert p.inventors == ("Thanh Van Do",)
    assert p.ipc_codes == ("G06F15/16", "G06F13/00")  # "G06F 1516", "G06F 1300"
    assert (p.filing_date, p.priority_date, p.grant_date) == ("1999-10-05", "1997-04-08", "2002-01-01")
    assert p.abstract.startswith("A communications systems, e.g., a telecommunications system")
    assert p.claims.startswith("1. An arrangement in a network")
    assert p.extra["cited_patents"][-1] == "WO1996025012"
    design = _one(USPTO / "USD435854S1.xml")
    assert (design.key, design.publication_number) == ("US-B-D435854", "USD435854S")
    assert design.applicants[0] == "Hitachi Maxell, Ltd."
    assert len(design.inventors) == 8
    assert design.extra["cited_patents"][0] == "USD271298"


# --- sniffing and splitting -----------------------------------------------------------------------


def test_sniff_accepts_every_fixture_and_rejects_other_xml() -> None:
    for path in sorted(USPTO.glob("*.xml*")):
        assert SOURCE.sniff(path.name, _bytes(path)[:65536]), path.name
    assert not SOURCE.sniff("scheme.xml", b'<?xml version="1.0"?>\n<class-scheme scheme-type="cpc">')
    assert not SOURCE.sniff("a.csv", b"id,title\nUS-1,x\n")


def test_split_is_independent_of_chunk_boundaries() -> None:
    data = _bytes(USPTO / "ipg060103.cut.xml.gz")
    big = [(d.index, d.line, d.data) for d in split_xml_documents(io.BytesIO(data))]
    small = [(d.index, d.line, d.data) for d in split_xml_documents(io.BytesIO(data), chunk_size=7)]
    assert big == small
    assert len(big) == 6
    assert b"".join(d for _, _, d in big) == data
    assert [line for _, line, _ in big] == [1, 246, 438, 831, 1041, 3035]


def test_bom_and_leading_blank_lines() -> None:
    data = b"\xef\xbb\xbf" + (USPTO / "2009_1.xml").read_bytes()
    assert _read(data)[0].publication_number == "USD586076S1"  # type: ignore[union-attr]
    assert _read(b"\n\n" + (USPTO / "2009_1.xml").read_bytes())[0].key == "US-B-D586076"  # type: ignore[union-attr]


# --- damage -----------------------------------------------------------------------------------------


def test_document_cut_in_the_middle_is_skipped_and_the_rest_read() -> None:
    path = DAMAGED / "ipg120327.cut-document.xml"
    items = _read(path.read_bytes(), str(path))
    assert [type(i).__name__ for i in items] == ["Patent", "SkippedRecord", "Patent"]
    bad = items[1]
    assert isinstance(bad, SkippedRecord)
    assert (bad.path, bad.line, bad.reason) == (str(path), 887, "bad_xml")
    assert bad.message.startswith("document 2 (line 887): not well-formed XML")
    assert [i.extra["document_index"] for i in items if isinstance(i, Patent)] == [1, 3]


def test_truncated_weekly_gzip_yields_complete_documents_then_fails_clearly() -> None:
    path = DAMAGED / "ipg120327.truncated.xml.gz"
    (item,) = [f for f in iter_input_files([path]) if isinstance(f, InputFile)]
    read: list[object] = []
    with pytest.raises(ImportFormatError) as info, item.open() as stream:
        read.extend(SOURCE.read(stream, item.path))
    assert info.value.path == str(path)
    assert read and all(isinstance(r, Patent) for r in read)  # complete documents before the cut


def test_not_xml_at_all_is_an_import_format_error() -> None:
    with pytest.raises(ImportFormatError, match="not an XML file"):
        _read(b"Publication Number,Title\nUS1,x\n", "forced.csv")


def test_unknown_root_is_skipped() -> None:
    (item,) = _read(b'<?xml version="1.0"?>\n<class-scheme><classification-item/></class-scheme>\n')
    assert isinstance(item, SkippedRecord)
    assert item.reason == "not_a_patent"


def test_document_without_number_is_skipped() -> None:
    data = (USPTO / "2009_1.xml").read_bytes().replace(b"<doc-number>D0586076</doc-number>", b"<doc-number/>")
    (item,) = _read(data)
    assert isinstance(item, SkippedRecord)
    assert (item.reason, item.field) == ("no_number", "doc-number")


def test_undeclared_entities_do_not_crash(tmp_path: Path) -> None:
    data = (
        (USPTO / "2009_1.xml")
        .read_bytes()
        .replace(b"Confectionery product", b"Confectionery &mdash; product &unknownentity; &lt;b&gt;")
    )
    p = _read(data)[0]
    assert isinstance(p, Patent)
    assert p.title == "Confectionery — product &unknownentity; <b>"


def test_huge_fields_are_read() -> None:
    claim = b"a very long claim " * 800_000  # 14 MB of text in one node, above libxml2's default limit
    data = (
        (USPTO / "2009_1.xml")
        .read_bytes()
        .replace(b"The ornamental design for a confectionery product", claim)
    )
    started = time.perf_counter()
    p = _read(data)[0]
    assert isinstance(p, Patent)
    assert len(p.claims) > 14_000_000
    assert time.perf_counter() - started < 20


# --- never fetch DTDs or external entities ----------------------------------------------------------


class _RecordingResolver(etree.Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: object) -> None:
        self.urls.append(system_url)
        return None


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared with the test on purpose

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<!ENTITY mdash "FETCHED"><!ENTITY fetched "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    _CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _CountingHandler.hits
    finally:
        server.shutdown()
        server.server_close()


def test_doctype_urls_and_external_entities_are_never_fetched(
    dtd_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, hits = dtd_server
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    local_dtd = tmp_path / "local.dtd"
    local_dtd.write_text('<!ENTITY fetched "FETCHED">')
    original = (USPTO / "2009_1.xml").read_bytes()
    doctype = b'<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v42-2006-08-23.dtd" [ ]>'
    assert doctype in original
    variants = [
        f'<!DOCTYPE us-patent-grant SYSTEM "{base}/us-patent-grant.dtd">',
        f'<!DOCTYPE us-patent-grant PUBLIC "-//USPTO//DTD//EN" "{base}/public.dtd">',
        f'<!DOCTYPE us-patent-grant SYSTEM "{local_dtd.as_uri()}">',
        f'<!DOCTYPE us-patent-grant [ <!ENTITY % remote SYSTEM "{base}/param.dtd"> %remote; ]>',
        f'<!DOCTYPE us-patent-grant [ <!ENTITY fetched SYSTEM "{secret.as_uri()}"> ]>',
        f'<!DOCTYPE us-patent-grant [ <!ENTITY fetched SYSTEM "{base}/entity.txt"> ]>',
    ]
    for variant in variants:
        data = original.replace(doctype, variant.encode()).replace(
            b"Confectionery product", b"Confectionery &fetched; &mdash; product"
        )
        items = _read(data)
        (p,) = items
        assert isinstance(p, Patent), variant
        assert "FETCHED" not in p.title and "SECRET" not in p.title, variant
        assert p.title.startswith("Confectionery") and "—" in p.title
        # The same documents through the module's parser with a resolver that records every load
        # libxml2 asks for (it would be asked for DTDs and external entities, HTTP or file).
        resolver = _RecordingResolver()
        parser = new_parser()
        parser.resolvers.add(resolver)
        parse_document(data, parser)
        assert resolver.urls == [], variant
    permissive = etree.XMLParser(load_dtd=True, resolve_entities=True)
    control = _RecordingResolver()
    permissive.resolvers.add(control)
    etree.fromstring(f'<!DOCTYPE a SYSTEM "{local_dtd.as_uri()}"><a>&fetched;</a>'.encode(), permissive)
    assert control.urls  # the recording resolver does see loads when a parser makes them
    real = USPTO / "US20010000044A1.xml.gz"  # a real file whose DOCTYPE names w3.org
    assert b"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" in _bytes(real)
    assert _one(real).publication_number == "US20010000044A1"
    time.sleep(0.05)
    assert hits == []


# --- helpers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A45F  504", "A45F5/04"),
        ("H01L 21461", "H01L21/461"),
        ("H01L 31107", "H01L31/107"),
        ("C07C24900", "C07C249/00"),
        ("B60R 2234", "B60R22/34"),
        ("A63B  6900", "A63B6/900"),  # positional: group in three characters
        ("G06F015/16", "G06F15/16"),
        ("A61B005/00", "A61B5/00"),
        ("G01N 25/00", "G01N25/00"),
        ("1402", ""),  # Locarno, not IPC
    ],
)
def test_normalise_ipc7(raw: str, expected: str) -> None:
    assert normalise_ipc7(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  2 52", "2/52"), ("709228", "709/228"), ("D 1121", "D1/121"), ("379 8802", "379/88.02"),
     ("600300000", "600/300"), (" 66126 R", "66/126R"), ("None", ""), (" 24  9", "24/9")],
)  # fmt: skip
def test_uspc_code(raw: str, expected: str) -> None:
    assert uspc_code(raw) == expected


def test_iso_date() -> None:
    assert iso_date("20090210") == "2009-02-10"
    assert iso_date("19211100") == ""
    assert iso_date("") == ""


# --- all real data -----------------------------------------------------------------------------------


def _read_tree(root: Path) -> tuple[list[Patent], Counter[str], float, int]:
    patents: list[Patent] = []
    skipped: Counter[str] = Counter()
    started = time.perf_counter()
    nbytes = 0
    for item in iter_input_files([root]):
        if not isinstance(item, InputFile) or not SOURCE.sniff(item.name, item.head()):
            continue
        with item.open() as stream:
            for record in SOURCE.read(stream, item.path):
                if isinstance(record, Patent):
                    patents.append(record)
                else:
                    assert isinstance(record, SkippedRecord)
                    skipped[record.reason] += 1
        nbytes += item.size
    return patents, skipped, time.perf_counter() - started, nbytes


@pytest.mark.shared
def test_all_grants_2009_2013(shared_data: Path) -> None:
    patents, skipped, seconds, _ = _read_tree(shared_data / "formats" / "uspto_xml" / "grants_2009_2013")
    assert skipped == Counter({"sequence_listing": 5})
    assert len(patents) == 487  # the 2012-03-27 cuts overlap: repeats are for the dedupe layer
    keys = {p.key for p in patents}
    grants = {p.key: p for p in patents if p.series == "B"}
    assert len(keys) == 465
    assert len(grants) == 461
    with_abstract = [p for p in grants.values() if p.abstract]
    types = Counter(p.extra["application_type"] for p in with_abstract)
    assert types == Counter({"utility": 200, "sir": 1, "plant": 1})  # the data README's "202 with abstracts"
    assert all(p.extra["application_type"] == "design" for p in grants.values() if not p.abstract)
    assert all(p.title and p.publication_date and p.filing_date and p.claims for p in patents)
    assert all(p.ipc_codes for p in with_abstract)
    assert len(patents) / seconds > 50  # records per second, very conservatively (2 shared cores)


@pytest.mark.shared
def test_all_samples(shared_data: Path) -> None:
    patents, skipped, _, _ = _read_tree(shared_data / "formats" / "uspto_samples")
    assert skipped == Counter()
    numbers = sorted(p.publication_number for p in patents)
    assert numbers == sorted(
        ["US20010000044A1", "US20010000943A1", "US20010009014A1", "US6336130B1", "US6337117B1", "USD435854S",
         "US6859910B2", "US6970935B1", "US7272630B2", "US8926509B2", "US8927118B2", "US8930553B2",
         "US20050004437A1", "US20050004974A1"]
    )  # fmt: skip
    assert all(p.title and p.claims for p in patents)
