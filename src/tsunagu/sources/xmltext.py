"""Safe XML parsing and text extraction shared by the XML importers.

Patent XML references DTDs (``us-patent-grant-v42-2006-08-23.dtd``, sometimes a URL) and uses named
character entities defined there (``&mdash;``, ``&lsqb;``, ISO Greek ``&agr;``). DTDs are never
loaded or fetched: the parser keeps undefined entities as entity nodes, and `element_text`
resolves them from the HTML5 and ISO 8879 entity tables.
"""

from __future__ import annotations

import html.entities
import re
from typing import Any

from lxml import etree

__all__ = ["ENTITY_TEXT", "element_text", "new_parser", "parse_document"]

# ISO 8879 Greek entities (ISOgrk1), used by USPTO SGML and early XML but absent from HTML5.
_GREEK_NAMES = (
    ("agr", "α"), ("bgr", "β"), ("ggr", "γ"), ("dgr", "δ"), ("egr", "ε"), ("zgr", "ζ"), ("eegr", "η"),
    ("thgr", "θ"), ("igr", "ι"), ("kgr", "κ"), ("lgr", "λ"), ("mgr", "μ"), ("ngr", "ν"), ("xgr", "ξ"),
    ("ogr", "ο"), ("pgr", "π"), ("rgr", "ρ"), ("sgr", "σ"), ("sfgr", "ς"), ("tgr", "τ"), ("ugr", "υ"),
    ("phgr", "φ"), ("khgr", "χ"), ("psgr", "ψ"), ("ohgr", "ω"),
)  # fmt: skip
ENTITY_TEXT: dict[str, str] = {name.rstrip(";"): text for name, text in html.entities.html5.items()}
for _lower, _char in _GREEK_NAMES:
    ENTITY_TEXT.setdefault(_lower, _char)
    _upper = (
        _lower[:-2].upper()
        if _lower in ("eegr", "thgr", "phgr", "khgr", "psgr", "ohgr")
        else _lower[0].upper()
    )
    ENTITY_TEXT.setdefault(_upper + "gr", _char.upper())
"""Text of named entities: HTML5 names plus the ISO Greek set (``agr`` → ``α``, ``PHgr`` → ``Φ``)."""


def new_parser() -> etree.XMLParser:
    """A parser that never loads a DTD, never touches the network and never expands entities.

    ``huge_tree`` lifts libxml2's limits on text node size (claims of tens of megabytes are
    real); it is safe here because entities are not expanded at all.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def parse_document(data: bytes, parser: etree.XMLParser | None = None) -> Any:
    """Parse one XML document from bytes and return its root element.

    A document that uses named entities its own DOCTYPE does not declare (``&mdash;`` without a
    reference to the DTD that defines it) is not well-formed; it is parsed again with those
    entities written as character references (unknown names are kept as text).

    Raises:
        lxml.etree.XMLSyntaxError: the document is not well-formed (for example cut short).
    """
    parser = parser if parser is not None else new_parser()
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "not defined" not in str(exc):
            raise
        return etree.fromstring(_declare_entities(data), parser)


_ENTITY_REF = re.compile(rb"&([A-Za-z_][\w.-]*);")
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+([A-Za-z_][\w.-]*)")
_PREDEFINED = {b"lt", b"gt", b"amp", b"quot", b"apos"}


def _declare_entities(data: bytes) -> bytes:
    declared = set(_ENTITY_DECL.findall(data)) | _PREDEFINED

    def replace(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        if name in declared:
            return m.group(0)
        text = ENTITY_TEXT.get(name.decode("ascii", "replace"))
        if text is None:
            return b"&amp;" + name + b";"
        return "".join(f"&#{ord(c)};" for c in text).encode("ascii")

    return _ENTITY_REF.sub(replace, data)


def _collect(el: Any, parts: list[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if tag is etree.Entity:
            parts.append(ENTITY_TEXT.get(child.name, child.text or ""))
        elif tag is not etree.Comment and tag is not etree.PI:
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def element_text(el: Any | None) -> str:
    """All text inside ``el`` (entities resolved), whitespace collapsed; ``""`` for ``None``."""
    if el is None:
        return ""
    if len(el) == 0:
        return " ".join(el.text.split()) if el.text else ""
    parts: list[str] = []
    _collect(el, parts)
    return " ".join("".join(parts).split())
