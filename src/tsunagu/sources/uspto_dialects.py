"""Field extraction for the three USPTO XML dialects, each from a parsed root element.

* `extract_v4` — ``us-patent-grant`` / ``us-patent-application``, DTD v4.0 … v4.5 (2005+). Parties
  moved from ``parties/applicants`` (inventors are ``applicant-inventor`` applicants) to
  ``us-parties/us-applicants`` plus ``inventors`` in v4.3; citations from ``references-cited`` to
  ``us-references-cited``; IPC from IPC-7 ``classification-ipc`` to ``classifications-ipcr``.
* `extract_pap` — ``patent-application-publication``, pre-grant publications 2001–2004.
* `extract_patdoc` — ``PATDOC``, grants 2001–2004 (ST.32 element names ``B110``, ``B540``…).

They copy strings as written; `tsunagu.sources.uspto_record.to_patent` normalises them.
"""

from __future__ import annotations

from typing import Any

from tsunagu.sources.uspto_record import DocumentFields, uspc_code
from tsunagu.sources.xmltext import element_text

__all__ = ["DocumentFields", "extract_pap", "extract_patdoc", "extract_v4"]


def _t(el: Any | None, path: str | None = None) -> str:
    if el is None:
        return ""
    return element_text(el.find(path) if path else el)


def _all(el: Any | None, path: str) -> list[str]:
    if el is None:
        return []
    return [element_text(x) for x in el.iterfind(path)]


def _raw(el: Any | None, path: str) -> list[str]:
    """Texts as written (fixed-width codes keep their inner spaces)."""
    if el is None:
        return []
    return ["".join(x.itertext()).strip("\r\n\t") for x in el.iterfind(path)]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _paragraphs(el: Any | None, path: str) -> str:
    if el is None:
        return ""
    paras = [element_text(p) for p in el.iterfind(path)]
    paras = [p for p in paras if p]
    return "\n".join(paras) if paras else element_text(el)


# --- v4.x ---------------------------------------------------------------------------------------


def _v4_name(party: Any) -> str:
    book = party.find("addressbook")
    holder = book if book is not None else party
    org = _t(holder, "orgname")
    if org:
        return org
    return _join(_t(holder, "first-name"), _t(holder, "last-name"))


def _v4_ipcr(el: Any) -> str:
    parts = [_t(el, p) for p in ("section", "class", "subclass", "main-group")]
    return f"{''.join(parts)}/{_t(el, 'subgroup')}"


def extract_v4(root: Any) -> DocumentFields:
    """Fields of a ``us-patent-grant`` or ``us-patent-application`` document."""
    grant = root.tag == "us-patent-grant"
    bib = root.find("us-bibliographic-data-grant" if grant else "us-bibliographic-data-application")
    if bib is None:
        raise ValueError(f"<{root.tag}> without bibliographic data")
    pub = bib.find("publication-reference/document-id")
    app_ref = bib.find("application-reference")
    app = app_ref.find("document-id") if app_ref is not None else None

    priorities = _all(bib, "priority-claims/priority-claim/date")
    priorities += _all(bib, "us-related-documents/*/relation/parent-doc/document-id/date")
    priorities += _all(bib, "us-related-documents/*/relation/parent-doc/parent-pct-document/document-id/date")
    priorities += _all(bib, "us-related-documents/us-provisional-application/document-id/date")
    priorities += _all(bib, "pct-or-regional-filing-data/document-id/date")

    parties = bib.find("us-parties")
    if parties is None:
        parties = bib.find("parties")
    applicant_els: list[Any] = []
    inventor_els: list[Any] = []
    if parties is not None:
        applicant_els = list(parties.iterfind("us-applicants/us-applicant")) + list(
            parties.iterfind("applicants/applicant")
        )
        inventor_els = list(parties.iterfind("inventors/inventor"))
    if not inventor_els:
        inventor_els = [a for a in applicant_els if "inventor" in (a.get("app-type") or "")]
    assignees = [_v4_name(a) for a in bib.iterfind("assignees/assignee")]

    ipc = [_v4_ipcr(c) for c in bib.iterfind("classifications-ipcr/classification-ipcr")]
    ipc += _raw(bib, "classification-ipc/main-classification")
    ipc += _raw(bib, "classification-ipc/further-classification")
    cpc = [_v4_ipcr(c) for c in bib.iterfind("classifications-cpc//classification-cpc")]
    uspc = [uspc_code(x) for x in _raw(bib, "classification-national/main-classification")]
    uspc += [uspc_code(x) for x in _raw(bib, "classification-national/further-classification")]
    citations = []
    for ref in ("references-cited", "us-references-cited"):
        for d in bib.iterfind(f"{ref}/*/patcit/document-id"):
            citations.append((_t(d, "country"), _t(d, "doc-number"), _t(d, "kind")))

    return DocumentFields(
        doc_number=_t(pub, "doc-number"),
        kind=_t(pub, "kind"),
        country=_t(pub, "country") or "US",
        publication_date=_t(pub, "date"),
        application_number=_t(app, "doc-number"),
        filing_date=_t(app, "date"),
        application_type=(app_ref.get("appl-type") or "") if app_ref is not None else "",
        priority_dates=priorities,
        title=_t(bib, "invention-title"),
        abstract=_paragraphs(root.find("abstract"), ".//p"),
        claims=[element_text(c) for c in root.iterfind("claims/claim")],
        assignees=assignees,
        applicants=[_v4_name(a) for a in applicant_els],
        inventors=[_v4_name(i) for i in inventor_els],
        ipc=ipc,
        cpc=cpc,
        uspc=uspc,
        citations=citations,
        language=(root.get("lang") or "en").lower(),
        doc_format=f"{root.tag} {root.get('dtd-version') or ''}".strip(),
        grant=grant,
    )


# --- pre-grant publications 2001-2004 ------------------------------------------------------------


def _pap_name(party: Any) -> str:
    org = _t(party, "organization-name")
    if org:
        return org
    name = party.find("name")
    if name is None:
        return ""
    return _join(
        _t(name, "given-name"), _t(name, "middle-name"), _t(name, "family-name"), _t(name, "name-suffix")
    )


def extract_pap(root: Any) -> DocumentFields:
    """Fields of a ``patent-application-publication`` (pap v1.x) document."""
    bib = root.find("subdoc-bibliographic-information")
    if bib is None:
        raise ValueError("<patent-application-publication> without bibliographic data")
    doc = bib.find("document-id")
    filing = bib.find("domestic-filing-data")
    tech = bib.find("technical-information")
    priorities = _all(bib, "foreign-priority-data/filing-date")
    priorities += _all(bib, "continuity-data//parent/document-id/document-date")
    priorities += _all(bib, "continuity-data/non-provisional-of-provisional/document-id/document-date")
    inventors = [
        _pap_name(i) for i in bib.iterfind("inventors/*") if i.tag in ("first-named-inventor", "inventor")
    ]
    ipc = _all(tech, "classification-ipc/classification-ipc-primary/ipc")
    ipc += _all(tech, "classification-ipc/classification-ipc-secondary/ipc")
    uspc = [
        uspc_code(f"{_t(u, 'class'):>3}{_t(u, 'subclass')}")
        for u in (tech.iterfind("classification-us/*/uspc") if tech is not None else [])
    ]
    return DocumentFields(
        doc_number=_t(doc, "doc-number"),
        kind=_t(doc, "kind-code"),
        publication_date=_t(doc, "document-date"),
        application_number=_t(filing, "application-number/doc-number"),
        filing_date=_t(filing, "filing-date"),
        application_type=_t(bib, "publication-filing-type"),
        priority_dates=priorities,
        title=_t(tech, "title-of-invention"),
        abstract=_paragraphs(root.find("subdoc-abstract"), ".//paragraph"),
        claims=[element_text(c) for c in root.iterfind("subdoc-claims/claim")],
        assignees=[_pap_name(a) for a in bib.iterfind("assignee")],
        applicants=inventors,  # before 2012 (AIA) the inventors were the applicants
        inventors=inventors,
        ipc=ipc,
        uspc=uspc,
        doc_format=f"patent-application-publication {_pap_version(root)}".strip(),
        grant=False,
    )


def _pap_version(root: Any) -> str:
    dtd = root.getroottree().docinfo.system_url or ""
    return dtd.removesuffix(".dtd") if dtd.startswith("pap-") else ""


# --- PATDOC grants 2001-2004 ---------------------------------------------------------------------


def _patdoc_name(party: Any) -> str:
    nam = party.find("NAM")
    if nam is None:
        return ""
    org = _t(nam, "ONM")
    if org:
        return org
    return _join(_t(nam, "FNM"), _t(nam, "SNM"), _t(nam, "SFX"))


def extract_patdoc(root: Any) -> DocumentFields:
    """Fields of a ``PATDOC`` (ST.32 US grant DTD v2.x) document."""
    bib = root.find("SDOBI")
    if bib is None:
        raise ValueError("<PATDOC> without bibliographic data (SDOBI)")
    priorities = _all(bib, "B300/B320/DATE")
    priorities += _all(bib, "B600//PDOC/DOC/DATE")
    ipc = _raw(bib, "B500/B510/B511") + _raw(bib, "B500/B510/B512")
    uspc = [uspc_code(x) for x in _raw(bib, "B500/B520/B521") + _raw(bib, "B500/B520/B522")]
    citations = []
    for d in bib.iterfind("B500/B560/B561/PCIT/DOC"):
        citations.append((_t(d, "CTRY") or "US", _t(d, "DNUM").replace("D. ", "D"), _t(d, "KIND")))
    claims = [element_text(c) for c in root.iterfind("SDOCL/CL/CLM")]
    inventors = [_patdoc_name(p) for p in bib.iterfind("B700/B720/B721/PARTY-US")]
    return DocumentFields(
        doc_number=_t(bib, "B100/B110/DNUM"),
        kind=_t(bib, "B100/B130"),
        country=_t(bib, "B100/B190") or "US",
        publication_date=_t(bib, "B100/B140/DATE"),
        application_number=_t(bib, "B200/B210/DNUM"),
        filing_date=_t(bib, "B200/B220/DATE"),
        priority_dates=priorities,
        title=_t(bib, "B500/B540"),
        abstract=_paragraphs(root.find("SDOAB"), ".//PARA"),
        claims=claims,
        assignees=[_patdoc_name(p) for p in bib.iterfind("B700/B730/B731/PARTY-US")],
        applicants=inventors,  # before 2012 (AIA) the inventors were the applicants
        inventors=inventors,
        ipc=ipc,
        uspc=uspc,
        citations=citations,
        doc_format=f"PATDOC {root.get('DTD') or ''}".strip(),
        grant=True,
    )
