"""Classification codes: IPC/CPC normalisation, FI → IPC mapping, and levels (subclass, main group)."""

from __future__ import annotations

import re

__all__ = [
    "fi_to_ipc",
    "main_group",
    "normalise_ipc",
    "section",
    "split_fi",
    "subclass",
]

_IPC = re.compile(r"^([A-H])(\d{2})([A-Z])\s*0*(\d{1,4})\s*/\s*(\d{1,6})")
_SUBCLASS_ONLY = re.compile(r"^([A-H])(\d{2})([A-Z])$")
_FI_SUBDIVISION = re.compile(r"^\d{3}(@[A-Z]+)?$")


def normalise_ipc(code: str) -> str:
    """Normalise an IPC or CPC symbol: ``"G01N 25/00"`` → ``"G01N25/00"``.

    Handles spaces, IPC-7 fixed-width forms (``"B60K 2800"`` style groups padded with zeros, as in
    ``"A61B  5/18"``), trailing version or annotation text (``"G06N3/08 (2006.01)"``). Returns
    ``""`` when ``code`` is not a classification symbol.
    """
    s = code.strip().upper().replace("\u3000", " ")
    m = _IPC.match(s)
    if m:
        sect, cls, sub, group, subgroup = m.groups()
        return f"{sect}{cls}{sub}{int(group)}/{subgroup.zfill(2)}"
    m = _FIXED.match(s)
    if m:
        sect, cls, sub, group, subgroup = m.groups()
        subgroup = (subgroup.rstrip("0") or "0").ljust(2, "0")  # fixed width pads subgroups with zeros
        return f"{sect}{cls}{sub}{int(group)}/{subgroup}"
    if _SUBCLASS_ONLY.match(s):
        return s
    return ""


# IPC-7 fixed width as in old USPTO XML: "A61B 500" / "A61B005/18" / "B60K02800" (group 4 digits, subgroup rest)
_FIXED = re.compile(r"^([A-H])(\d{2})([A-Z])\s*(\d{3,4})(\d{2,6})\s*$")


def split_fi(value: str) -> list[str]:
    """Split a J-PlatPat FI field joined by commas, keeping subdivisions with their code.

    ``"B60K41/00,301@A,B60W40/08"`` → ``["B60K41/00,301@A", "B60W40/08"]``.
    """
    out: list[str] = []
    for token in (t.strip() for t in (value or "").split(",")):
        if not token:
            continue
        if _FI_SUBDIVISION.match(token) and out:
            out[-1] += "," + token
        else:
            out.append(token)
    return out


def fi_to_ipc(fi: str) -> str:
    """Map one FI code to its IPC symbol, or ``""`` for FI-only facet codes (containing ``:``).

    Drops the subdivision number (``,301``) and the file symbol (``@A``).
    """
    if ":" in fi:
        return ""
    return normalise_ipc(fi.split("@")[0].split(",")[0])


def section(code: str) -> str:
    """IPC section letter (``"A61B5/18"`` → ``"A"``)."""
    return code[:1]


def subclass(code: str) -> str:
    """IPC subclass (``"A61B5/18"`` → ``"A61B"``)."""
    return code[:4]


def main_group(code: str) -> str:
    """IPC main group (``"A61B5/18"`` → ``"A61B5/00"``); a bare subclass is returned unchanged."""
    if "/" not in code:
        return code
    return code.split("/")[0] + "/00"
