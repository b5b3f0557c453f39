"""USPTO full-text XML: grants and pre-grant publications, single files and weekly bulk files.

Supported document types (recognised by their root element, whatever the file is called):

* ``us-patent-grant`` / ``us-patent-application`` — the 2005+ ST.36 based DTDs v4.0 … v4.5
  (weekly ``ipg*.xml`` / ``ipa*.xml`` files, and single documents);
* ``patent-application-publication`` — pre-grant publications 2001–2004 (``pap-v1.5``/``v1.6``);
* ``PATDOC`` — the 2001–2004 grant DTD v2.4/v2.5 (the "SGML" era data, delivered as XML).

Weekly files concatenate many documents, each with its own XML declaration and DOCTYPE. The
stream is split at ``<?xml`` declarations and each document is parsed on its own, so a damaged
document is skipped (with its index and first line) and the rest are read; memory holds one
document at a time. DTDs are never loaded or fetched. Sequence listings (``<sequence-cwu>``) and
other non-patent documents are skipped with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from lxml import etree

from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.uspto_dialects import DocumentFields, extract_pap, extract_patdoc, extract_v4
from tsunagu.sources.uspto_record import to_patent
from tsunagu.sources.xmltext import new_parser, parse_document

__all__ = ["UsptoXmlSource", "XmlDocument", "split_xml_documents"]

_DECLARATION = re.compile(rb"<\?xml[\s?]")
_ROOT_MARKER = re.compile(
    rb"<(?:!DOCTYPE\s+)?(us-patent-grant|us-patent-application|patent-application-publication|PATDOC"
    rb"|sequence-cwu)[\s>\[]"
)
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 16  # small enough that documents before a damaged part are still yielded

_EXTRACTORS = {
    "us-patent-grant": extract_v4,
    "us-patent-application": extract_v4,
    "patent-application-publication": extract_pap,
    "PATDOC": extract_patdoc,
}
_NOT_PATENTS = {
    "sequence-cwu": ("sequence_listing", "sequence listing (<sequence-cwu>), not a patent document"),
}


class XmlDocument:
    """One document of a (possibly concatenated) XML file.

    Attributes:
        index: 1-based position of the document in the file.
        line: 1-based line on which the document starts.
        data: the document's bytes.
    """

    __slots__ = ("data", "index", "line")

    def __init__(self, index: int, line: int, data: bytes) -> None:
        self.index = index
        self.line = line
        self.data = data


def split_xml_documents(stream: BinaryIO, chunk_size: int = _CHUNK) -> Iterator[XmlDocument]:
    """Split a stream of concatenated XML documents at their ``<?xml`` declarations.

    Reads ``chunk_size`` bytes at a time and holds only the current document in memory. Text
    before the first declaration counts as a document when it is not blank (some files omit the
    declaration).
    """
    buf = bytearray()
    line = 1
    index = 0
    search_from = 1  # a declaration at offset 0 starts the current document, not a new one
    first = True
    while True:
        chunk = stream.read(chunk_size)
        if chunk:
            if first and chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
            first = False
            buf += chunk
        while True:
            m = _DECLARATION.search(buf, search_from)
            if m is None:
                break
            data = bytes(buf[: m.start()])
            if data.strip():
                index += 1
                yield XmlDocument(index, line, data)
            line += data.count(b"\n")
            del buf[: m.start()]
            search_from = 1
        if not chunk:
            break
        search_from = max(1, len(buf) - 6)
    if buf.strip():
        yield XmlDocument(index + 1, line, bytes(buf))


class UsptoXmlSource:
    """Importer of USPTO full-text XML (grants, pre-grant publications, weekly bulk files)."""

    name: ClassVar[str] = "uspto_xml"

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the first bytes hold a USPTO patent document's DOCTYPE or root element."""
        return _ROOT_MARKER.search(head) is not None

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per patent document and a `SkippedRecord` per other or damaged document.

        ``SkippedRecord.line`` is the line on which the document starts; the message names the
        document's index in the file.

        Raises:
            ImportFormatError: the file is not XML at all.
        """
        parser = new_parser()
        for doc in split_xml_documents(stream):
            where = f"document {doc.index} (line {doc.line})"
            try:
                root = parse_document(doc.data, parser)
            except etree.XMLSyntaxError as exc:
                if doc.index == 1 and not doc.data.lstrip().startswith(b"<"):
                    raise ImportFormatError("not an XML file", path=path, line=doc.line) from exc
                yield SkippedRecord(path, doc.line, None, "bad_xml", f"{where}: not well-formed XML: {exc}")
                continue
            yield self._record(root, path, doc, where)

    def _record(self, root: Any, path: str, doc: XmlDocument, where: str) -> ReadItem:
        tag = root.tag if isinstance(root.tag, str) else ""
        extractor = _EXTRACTORS.get(tag)
        if extractor is None:
            reason, message = _NOT_PATENTS.get(tag, ("not_a_patent", f"<{tag}> is not a patent document"))
            return SkippedRecord(path, doc.line, None, reason, f"{where}: {message}")
        try:
            fields: DocumentFields = extractor(root)
            return to_patent(fields, self.name, document_index=doc.index)
        except ValueError as exc:
            return SkippedRecord(path, doc.line, "doc-number", "no_number", f"{where}: {exc}")
