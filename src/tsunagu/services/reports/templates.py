"""Report templates as data: the sections, their titles and an institution's own item lists.

Packaged templates live in ``tsunagu/data/report_templates/{kind}.{lang}.yaml``. An institution
replaces one by passing its own YAML/JSON file with the same structure (see docs/reports.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tsunagu.errors import MissingDependencyError, ValidationError

__all__ = [
    "EVALUATION_SECTIONS",
    "PROPOSAL_SECTIONS",
    "ReportTemplate",
    "SectionTemplate",
    "load_template",
    "packaged_template_text",
]

#: Section ids whose content tsunagu assembles in an evaluation report.
EVALUATION_SECTIONS: frozenset[str] = frozenset(
    {
        "summary",
        "company",
        "ip_overview",
        "ip_business",
        "strengths",
        "market",
        "outlook",
        "qualitative",
        "valuation",
        "sources",
    }
)
#: Section ids whose content tsunagu assembles in a proposal.
PROPOSAL_SECTIONS: frozenset[str] = frozenset({"company", "issues", "solutions", "sources"})


@dataclass(frozen=True)
class SectionTemplate:
    """One section: id, title, intro text and any options (``items``, ``rating_scale``, …)."""

    id: str
    title: str
    intro: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportTemplate:
    """A whole template (see the packaged YAML files for every key)."""

    kind: str
    language: str
    title: str
    subtitle: str
    sections: tuple[SectionTemplate, ...]
    origins: dict[str, str]
    missing: str
    legend: str = ""
    disclaimer: str = ""
    categories: tuple[dict[str, Any], ...] = ()
    source: str = ""

    def section(self, section_id: str) -> SectionTemplate | None:
        """The section with ``section_id``, or None when the template leaves it out."""
        return next((s for s in self.sections if s.id == section_id), None)


def _yaml() -> Any:
    try:
        import yaml
    except ImportError as exc:
        raise MissingDependencyError("report templates need PyYAML (pip install 'tsunagu[report]')") from exc
    return yaml


def packaged_template_text(name: str) -> str:
    """Text of a packaged file under ``tsunagu/data/report_templates/``."""
    return resources.files("tsunagu").joinpath("data", "report_templates", name).read_text("utf-8")


def _parse(data: Any, source: str) -> ReportTemplate:
    if not isinstance(data, dict):
        raise ValidationError(f"{source}: テンプレートは項目の対応表です / a template is a mapping")
    kind = str(data.get("kind", ""))
    known = {"evaluation": EVALUATION_SECTIONS, "proposal": PROPOSAL_SECTIONS}.get(kind)
    if known is None:
        raise ValidationError(
            f"{source}: kind は evaluation か proposal / kind must be evaluation or proposal"
        )
    sections = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("sections") or []):
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("title"):
            raise ValidationError(
                f"{source}: sections[{i}] に id と title が必要です / needs an id and a title"
            )
        sid = str(raw["id"])
        if sid in seen:
            raise ValidationError(f"{source}: sections[{i}]: id {sid!r} が重複しています / repeated id")
        seen.add(sid)
        options = {k: v for k, v in raw.items() if k not in ("id", "title", "intro")}
        if sid == "qualitative":
            for j, item in enumerate(options.get("items") or []):
                if not isinstance(item, dict) or not item.get("label"):
                    raise ValidationError(
                        f"{source}: sections[{i}].items[{j}] に label が必要です / needs a label"
                    )
        sections.append(SectionTemplate(sid, str(raw["title"]), str(raw.get("intro") or "").strip(), options))
    if not sections:
        raise ValidationError(f"{source}: sections が空です / no sections")
    origins = {str(k): str(v) for k, v in (data.get("origins") or {}).items()}
    for needed in ("machine", "person", "register", "missing"):
        origins.setdefault(needed, needed)
    return ReportTemplate(
        kind=kind,
        language=str(data.get("language") or "ja"),
        title=str(data.get("title") or ""),
        subtitle=str(data.get("subtitle") or ""),
        sections=tuple(sections),
        origins=origins,
        missing=str(data.get("missing") or "未入力"),
        legend=str(data.get("legend") or "").strip(),
        disclaimer=str(data.get("disclaimer") or "").strip(),
        categories=tuple(c for c in data.get("categories") or [] if isinstance(c, dict)),
        source=source,
    )


def load_template(kind: str, lang: str = "ja", path: str | Path | None = None) -> ReportTemplate:
    """The packaged template for ``kind``/``lang``, or the file at ``path`` (YAML or JSON).

    Raises:
        ValidationError: an unknown kind or language, an unreadable or malformed file, or a file of
            another kind.
    """
    if path is not None:
        p = Path(path)
        try:
            text = p.read_text("utf-8-sig")
        except OSError as exc:
            raise ValidationError(f"{p}: 読めません / cannot read: {exc}") from exc
        try:
            data = json.loads(text) if p.suffix.lower() == ".json" else _yaml().safe_load(text)
        except (ValueError, Exception) as exc:  # yaml.YAMLError has no common base with ValueError
            if isinstance(exc, MissingDependencyError):
                raise
            raise ValidationError(
                f"{p}: テンプレートを読めません / cannot parse the template: {exc}"
            ) from exc
        template = _parse(data, str(p))
        if template.kind != kind:
            raise ValidationError(
                f"{p}: {template.kind} のテンプレートです / is a {template.kind} template, not {kind}"
            )
        return template
    if kind not in ("evaluation", "proposal"):
        raise ValidationError(f"unknown report kind {kind!r}")
    if lang not in ("ja", "en"):
        raise ValidationError(f"言語は ja か en / language must be ja or en, not {lang!r}")
    name = f"{kind}.{lang}.yaml"
    return _parse(_yaml().safe_load(packaged_template_text(name)), name)
