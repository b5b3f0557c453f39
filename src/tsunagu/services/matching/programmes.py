"""Matching programmes and their members (the basis of the web access rules)."""

from __future__ import annotations

import re

from tsunagu.domain.matching import Programme, ProgrammeMember, normalise_name, parse_code
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.companies import Clock, iso_now
from tsunagu.storage.registry import SqlRegistryStore

__all__ = ["ProgrammeService"]

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class ProgrammeService:
    """Create programmes, find them by id, code or name, and manage their members.

    Args:
        registry: the register store.
        clock: current time.
    """

    def __init__(self, registry: SqlRegistryStore, *, clock: Clock | None = None) -> None:
        self.registry = registry
        self.clock = clock

    def create(
        self, code: str, name: str, *, organiser: str = "", region: str = "", description: str = ""
    ) -> Programme:
        """Register a programme; ``code`` is a short lower-case name (``kawasaki``, ``kinki-ip``).

        Raises:
            ValidationError: the code is malformed or taken, or the name is empty.
        """
        code = code.strip().lower()
        if not _CODE.match(code):
            raise ValidationError(
                f"code: {code!r} は英小文字・数字・-・_ で指定してください / "
                "use lower-case letters, digits, '-' or '_'"
            )
        if not name.strip():
            raise ValidationError("name: プログラム名が必要です / a programme name is required")
        return self.registry.add_programme(
            Programme(
                0,
                code,
                name.strip(),
                organiser.strip(),
                region.strip(),
                description.strip(),
                created_at=iso_now(self.clock),
            )
        )

    def get(self, ref: str | int) -> Programme:
        """A programme by id, code or name.

        Raises:
            NotFoundError: listing the known programmes.
        """
        text = str(ref).strip()
        programmes = self.registry.list_programmes()
        for p in programmes:
            if text in (str(p.id), p.code) or normalise_name(text) == normalise_name(p.name):
                return p
        known = ", ".join(f"{p.code} ({p.name})" for p in programmes) or "なし / none"
        raise NotFoundError(f"プログラムが見つかりません / no programme {text!r}. 登録済み / known: {known}")

    def default(self, ref: str | int | None) -> Programme:
        """The programme named by ``ref``, or the only one when ``ref`` is None.

        Raises:
            ValidationError: ``ref`` is None and there is not exactly one programme.
        """
        if ref is not None and str(ref).strip():
            return self.get(ref)
        programmes = self.registry.list_programmes()
        if len(programmes) == 1:
            return programmes[0]
        if not programmes:
            raise ValidationError(
                "プログラムがありません。`tsunagu programmes add CODE NAME` で作成してください / "
                "no programme yet: create one with `tsunagu programmes add CODE NAME`"
            )
        raise ValidationError(
            "プログラムを --programme で指定してください / give --programme: "
            + ", ".join(p.code for p in programmes)
        )

    def list_programmes(self) -> list[Programme]:
        return self.registry.list_programmes()

    def add_member(
        self, programme: str | int, kind: str, ref: str, *, role_note: str = ""
    ) -> ProgrammeMember:
        """Add a coordinator (user name), licensor (id), company (id) or bank (institution name)."""
        p = self.get(programme)
        code = parse_code("member", kind, field_name="kind", allow_empty=False)
        value = ref.strip()
        if not value:
            raise ValidationError("member: 値が必要です / a member reference is required")
        if code == "company":
            value = (
                str(self.registry.get_company(int(value)).id) if value.isdigit() else self._company_id(value)
            )
        elif code == "licensor":
            value = str(self._licensor_id(value))
        return self.registry.add_member(ProgrammeMember(p.id, code, value, role_note, iso_now(self.clock)))

    def _company_id(self, name: str) -> str:
        found = self.registry.find_companies(name)
        if len(found) != 1:
            raise NotFoundError(
                f"登録企業が一意に決まりません / no single registered company called {name!r}"
            )
        return str(found[0].id)

    def _licensor_id(self, ref: str) -> int:
        if ref.isdigit():
            return self.registry.get_licensor(int(ref)).id
        found = self.registry.find_licensor(ref)
        if found is None:
            raise NotFoundError(f"ライセンサーが見つかりません / no licensor {ref!r}")
        return found.id

    def members(self, programme: str | int, kind: str = "") -> list[ProgrammeMember]:
        code = parse_code("member", kind, field_name="kind") if kind else ""
        return self.registry.members(self.get(programme).id, code)

    def programmes_of(self, kind: str, ref: str) -> list[Programme]:
        """The programmes a member belongs to (for access rules)."""
        code = parse_code("member", kind, field_name="kind", allow_empty=False)
        ids = {m.programme_id for m in self.registry.memberships(code, ref)}
        return [p for p in self.registry.list_programmes() if p.id in ids]
