"""Function, effect and problem phrases of a technology description, and its passages.

用途探索 represents an input at the level of what the technology *does* (its function), what it
*improves* (its effect) and what it *solves* (its problem), not its surface words. This module
extracts those phrases, every one with its character span in the input so each step stays traceable.

Japanese (SudachiPy, split mode C, part of speech):

- the 【課題】 part of a patent abstract is the problem statement (``problem`` phrases come from it);
- 「〜を〜する」: a noun phrase (nouns joined by の / や / と / 及び …) followed by を and, within a few
  morphemes, a verb or a サ変 noun + する gives ``目的語を動詞する`` (「眠気を推定する」);
- 「〜の向上」「〜の低減」 (a noun phrase, の, an improvement noun) gives an ``effect``;
- generic verbs (提供する, 備える, 有する, …) give no phrase.

English (no tagger; a small documented heuristic): verb–object phrases after ``to`` / ``for`` /
``by`` + ``-ing`` and around a lexicon of common technical verbs (``detect``, ``estimate``,
``measure``, …) in any inflection, the object being the following words up to a stop word.

A phrase is an ``effect`` when its verb is an improvement verb (向上, 低減, 防止, improve, reduce, …),
a ``problem`` when it lies in the 【課題】 part, else a ``function``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tsunagu.retrieval.sudachi import sudachi_tokenizer

__all__ = [
    "Passage",
    "Phrase",
    "PhraseAnalysis",
    "PhraseExtractor",
    "split_passages",
]

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_SECTION = re.compile(r"【([^】]{1,12})】")
_SENTENCE_END = re.compile(r"(?<=[。．！？!?])|\n+|(?<=[.;])\s+(?=[A-Z0-9(])")
_MIN_PASSAGE = 6


def _words(text: str) -> list[str]:
    return text.split()


#: Japanese verbs (or サ変 nouns) that say nothing about function: 「装置を提供する」.
JA_GENERIC_VERBS = frozenset(
    _words(
        "提供 有する 備える 含む 用いる 使用 利用 行う 設ける 得る 図る 持つ 構成 実施 採用 "
        "適用 する なる ある いる 示す 記載 開示 具備 搭載 配置 設定 形成 付与 与える 可能 実現 達成"
    )
)
#: Japanese improvement verbs / nouns: a phrase with one of these is an effect.
JA_EFFECT_WORDS = frozenset(
    _words(
        "向上 低減 軽減 削減 抑制 防止 改善 短縮 回避 確保 維持 促進 容易 高める 減らす 抑える "
        "防ぐ 高速化 小型化 軽量化 省力化 効率化 低コスト化 安定化 最適化 減少 増大 増加 解消 緩和 "
        "迅速化 簡素化 高精度化"
    )
)
_JA_CONNECTORS = frozenset({"の", "や", "と", "及び", "および", "又は", "または", "並びに", "ならびに"})
_JA_VERB_TAILS = frozenset({"する", "できる", "させる", "せる", "れる", "られる"})

EN_EFFECT_VERBS = frozenset(
    _words(
        "improve reduce prevent increase enhance decrease minimize minimise maximize maximise avoid "
        "suppress lower eliminate mitigate shorten save simplify stabilize stabilise accelerate "
        "facilitate ensure"
    )
)
#: English verbs recognised anywhere (base forms); other verbs are found after to / for / by.
EN_VERBS = (
    frozenset(
        _words(
            "detect estimate measure determine calculate compute control monitor identify predict "
            "generate transmit receive display classify recognize recognise sense track locate notify "
            "warn alert analyze analyse evaluate assess diagnose inspect process convert store cool "
            "heat heats filter separate clean treat produce manufacture cut weld coat deliver inject "
            "pump drive steer brake stop guide navigate map image capture record encode decode compress "
            "encrypt authenticate train learn infer optimize optimise schedule allocate route charge "
            "power supply emit illuminate absorb dampen damp reinforce mix bake cook dispense"
        )
    )
    | EN_EFFECT_VERBS
)
EN_GENERIC_VERBS = frozenset(
    _words("provide include comprise have be use using contain consist make enable allow perform carry")
)
_EN_STOP = frozenset(
    _words(
        "a an the of and or to for by with in on at from into onto via using which that wherein whereby "
        "when while is are was were be been being such as than thereby so thus then it its their this "
        "these those each"
    )
)
_EN_DETERMINERS = frozenset({"a", "an", "the", "its", "their", "this", "these", "those", "each", "said"})
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*|\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Passage:
    """A passage of the input: a sentence, or a part of a patent abstract.

    Attributes:
        index: position among the input's passages.
        text: the passage text.
        start: character offset of the passage in the input.
        end: end offset (exclusive).
        section: the 【…】 heading it sits under (``"課題"``, ``"解決手段"``), ``"title"`` or ``""``.
    """

    index: int
    text: str
    start: int
    end: int
    section: str = ""


@dataclass(frozen=True)
class Phrase:
    """A function, effect or problem phrase found in the input.

    Attributes:
        kind: ``"function"``, ``"effect"`` or ``"problem"``.
        text: the phrase in the input's language (``"眠気を推定する"``, ``"detect drowsiness"``).
        obj: its object noun phrase (``"人の眠気や疲労"``), may be ``""`` for nominal effects.
        verb: the verb's dictionary form (``"推定する"``, ``"detect"``).
        start: character offset of the phrase's first character in the input.
        end: end offset (exclusive).
        passage: index of the `Passage` holding it.
    """

    kind: str
    text: str
    obj: str
    verb: str
    start: int
    end: int
    passage: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "text": self.text,
            "object": self.obj,
            "verb": self.verb,
            "start": self.start,
            "end": self.end,
            "passage": self.passage,
        }


@dataclass(frozen=True)
class PhraseAnalysis:
    """The analysis of one input text.

    Attributes:
        text: the input as given.
        language: ``"ja"`` or ``"en"`` (Japanese when it contains kana or CJK ideographs).
        passages: the input's passages in order.
        phrases: phrases in input order, without duplicates (same kind and text).
        problem: the 【課題】 part, or ``""``.
    """

    text: str
    language: str
    passages: tuple[Passage, ...]
    phrases: tuple[Phrase, ...]
    problem: str = ""

    def of_kind(self, kind: str) -> list[Phrase]:
        """Phrases of one kind."""
        return [p for p in self.phrases if p.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (terms grouped by kind, then every phrase with its span)."""
        return {
            "language": self.language,
            "problem": self.problem,
            "function": [p.text for p in self.of_kind("function")],
            "effect": [p.text for p in self.of_kind("effect")],
            "problem_terms": [p.text for p in self.of_kind("problem")],
            "phrases": [p.to_dict() for p in self.phrases],
            "passages": [
                {"index": p.index, "text": p.text, "start": p.start, "end": p.end, "section": p.section}
                for p in self.passages
            ],
        }


def split_passages(text: str, title_length: int = 0) -> list[Passage]:
    """Split a text into passages: 【…】 parts of a patent abstract, then sentences.

    The 【選択図】 part (a figure reference) is dropped.

    Args:
        text: the description or abstract; when it starts with a title, ``title_length`` says how long
            the title is (it becomes passage 0 with section ``"title"``, followed by a line break).
        title_length: length of the leading title, 0 when there is none.

    Returns:
        Passages in order; very short fragments (under 6 characters) are left out.
    """
    out: list[Passage] = []
    body = 0
    if title_length:
        out.append(Passage(0, text[:title_length], 0, title_length, "title"))
        body = title_length + 1
    heads = list(_SECTION.finditer(text, body))
    blocks: list[tuple[int, int, str]] = []
    if heads:
        if heads[0].start() > body:
            blocks.append((body, heads[0].start(), ""))
        for i, m in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            blocks.append((m.end(), end, m.group(1)))
    else:
        blocks.append((body, len(text), ""))
    for start, end, section in blocks:
        if section.startswith("選択図"):
            continue
        pos = start
        for piece in _SENTENCE_END.split(text[start:end]):
            if piece is None:
                continue
            seg_start = text.find(piece, pos, end) if piece else pos
            if seg_start < 0:
                seg_start = pos
            pos = seg_start + len(piece)
            stripped = piece.strip()
            if len(stripped) < _MIN_PASSAGE:
                continue
            lead = len(piece) - len(piece.lstrip())
            s0 = seg_start + lead
            out.append(Passage(len(out), stripped, s0, s0 + len(stripped), section))
    return out


class PhraseExtractor:
    """Extracts `Phrase` and `Passage` objects from Japanese or English text.

    The Sudachi dictionary is loaded on first Japanese input (never at import); each thread gets its
    own tokenizer. Typical cost: well under a millisecond per sentence.
    """

    # -- public -------------------------------------------------------------------------------

    def analyse(self, text: str, title: str = "") -> PhraseAnalysis:
        """Passages and phrases of ``text`` (and its optional ``title``).

        Args:
            text: a free-text description or a patent abstract (J-PlatPat 【課題】 markup understood).
            title: optional title; its phrases count too.

        Returns:
            The analysis of ``title + "\n" + text`` (just ``text`` without a title): offsets of passages
            and phrases refer to `PhraseAnalysis.text`; phrases in input order without duplicates.
        """
        full = f"{title.strip()}\n{text}" if title.strip() else text
        passages = split_passages(full, title_length=len(title.strip()))
        japanese = _JAPANESE.search(full) is not None
        problem = ""
        m = re.search(r"【課題】([^【]*)", text)
        if m:
            problem = m.group(1).strip()
        phrases: list[Phrase] = []
        for p in passages:
            found = self._japanese(p) if japanese else self._english(p)
            phrases.extend(found)
        seen: set[tuple[str, str]] = set()
        unique: list[Phrase] = []
        for ph in phrases:
            if (ph.kind, ph.text) in seen:
                continue
            seen.add((ph.kind, ph.text))
            unique.append(ph)
        return PhraseAnalysis(
            text=full,
            language="ja" if japanese else "en",
            passages=tuple(passages),
            phrases=tuple(unique),
            problem=problem,
        )

    # -- Japanese -----------------------------------------------------------------------------

    def _japanese(self, passage: Passage) -> list[Phrase]:
        morphemes = [
            (m.surface(), m.part_of_speech(), m.dictionary_form(), m.begin(), m.end())
            for m in sudachi_tokenizer().tokenize(passage.text)
        ]
        out: list[Phrase] = []
        in_problem = passage.section == "課題"
        base = passage.start
        for i, (surface, pos, _lemma, _b, _e) in enumerate(morphemes):
            if pos[0] == "助詞" and surface == "を":
                obj = _ja_object(morphemes, i)
                verb = _ja_verb(morphemes, i)
                if obj is None or verb is None:
                    continue
                (ostart, otext), (vend, vlemma, vstem) = obj, verb
                if vstem in JA_GENERIC_VERBS:
                    continue
                kind = "effect" if vstem in JA_EFFECT_WORDS else ("problem" if in_problem else "function")
                out.append(
                    Phrase(
                        kind, f"{otext}を{vlemma}", otext, vlemma, base + ostart, base + vend, passage.index
                    )
                )
            elif surface == "の" and i + 1 < len(morphemes) and morphemes[i + 1][0] in JA_EFFECT_WORDS:
                obj = _ja_object(morphemes, i, connectors=False)
                if obj is None:
                    continue
                ostart, otext = obj
                eff = morphemes[i + 1]
                out.append(
                    Phrase(
                        "effect",
                        f"{otext}の{eff[0]}",
                        otext,
                        eff[0],
                        base + ostart,
                        base + eff[4],
                        passage.index,
                    )
                )
        return out

    # -- English ------------------------------------------------------------------------------

    def _english(self, passage: Passage) -> list[Phrase]:
        words = [(m.group(0), m.start(), m.end()) for m in _EN_WORD.finditer(passage.text)]
        lower = [w[0].lower() for w in words]
        out: list[Phrase] = []
        base = passage.start
        i = 0
        while i < len(words):
            verb = _en_verb_at(lower, i)
            if verb is None or verb in EN_GENERIC_VERBS:
                i += 1
                continue
            j = i + 1
            while j < len(words) and lower[j] in _EN_DETERMINERS:
                j += 1
            k = j
            used_of = False
            while k < len(words) and k - j < 5:
                w = lower[k]
                if w == "of" and not used_of and k > j:
                    used_of = True
                    k += 1
                    continue
                if w in _EN_STOP or _en_verb_at(lower, k, strict=True) is not None:
                    break
                k += 1
            if lower[k - 1 : k] == ["of"]:
                k -= 1
            if k > j:
                obj = passage.text[words[j][1] : words[k - 1][2]]
                kind = "effect" if verb in EN_EFFECT_VERBS else "function"
                out.append(
                    Phrase(
                        kind,
                        f"{verb} {obj.lower()}",
                        obj,
                        verb,
                        base + words[i][1],
                        base + words[k - 1][2],
                        passage.index,
                    )
                )
                i = k
            else:
                i += 1
        return out


def _ja_object(
    morphemes: list[tuple[Any, ...]], particle: int, connectors: bool = True
) -> tuple[int, str] | None:
    """The noun phrase ending right before ``morphemes[particle]``: (start offset, text).

    With ``connectors`` nouns joined by の / や / と … belong to the phrase; without, only a compound.
    """
    j = particle - 1
    start: int | None = None
    nouns = 0
    while j >= 0:
        surface, pos = morphemes[j][0], morphemes[j][1]
        if pos[0] in ("名詞", "接頭辞", "接尾辞"):
            if pos[1] == "数詞" and nouns == 0:
                break
            start = morphemes[j][3]
            nouns += 1
            j -= 1
            continue
        if (
            connectors
            and surface in _JA_CONNECTORS
            and start is not None
            and j > 0
            and morphemes[j - 1][1][0] == "名詞"
        ):
            j -= 1
            continue
        break
    if start is None or nouns > 8:
        return None
    text = "".join(m[0] for m in morphemes if m[3] >= start and m[4] <= morphemes[particle][3])
    if text in ("こと", "もの", "ため", "これ", "それ"):
        return None
    return start, text


def _ja_verb(morphemes: list[tuple[Any, ...]], particle: int) -> tuple[int, str, str] | None:
    """The verb governed by を at ``particle``: (end offset, dictionary form, stem) or None."""
    for j in range(particle + 1, min(particle + 8, len(morphemes))):
        surface, pos, lemma = morphemes[j][0], morphemes[j][1], morphemes[j][2]
        if surface in ("。", "、", "を", "，", "．"):
            return None
        if pos[0] == "名詞" and len(pos) > 2 and pos[2] == "サ変可能":
            nxt = morphemes[j + 1] if j + 1 < len(morphemes) else None
            if nxt is not None and nxt[1][0] == "動詞" and nxt[2] in ("する", "できる"):
                return nxt[4], f"{surface}する", surface
            if nxt is None or nxt[1][0] in ("補助記号",) or nxt[0] in _JA_VERB_TAILS:
                return morphemes[j][4], f"{surface}する", surface
        if pos[0] == "動詞" and pos[1] != "非自立可能":
            return morphemes[j][4], lemma, lemma
    return None


_EN_ING_EXCEPTIONS = frozenset(
    {
        "thing",
        "something",
        "nothing",
        "ring",
        "spring",
        "string",
        "king",
        "wing",
        "ceiling",
        "building",
        "bearing",
        "housing",
        "coupling",
        "casing",
        "wiring",
    }
)


def _en_base(word: str) -> str | None:
    """Base form when ``word`` is an inflection of a lexicon verb (``detects`` → ``detect``)."""
    if word in EN_VERBS:
        return word
    for suffix, repl in (
        ("ing", ""),
        ("ing", "e"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)] + repl
            if stem in EN_VERBS:
                return stem
            if suffix in ("ing", "ed") and len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in EN_VERBS:
                return stem[:-1]
    return None


def _en_verb_at(lower: list[str], i: int, strict: bool = False) -> str | None:
    """The base verb starting a verb–object phrase at word ``i``, or None."""
    w = lower[i]
    prev = lower[i - 1] if i > 0 else ""
    base = _en_base(w)
    if base is not None and not w.endswith("ed"):
        return base
    if strict:
        return None
    if prev == "to" and w.isalpha() and w not in _EN_STOP and not w.endswith(("ed", "ly")):
        return w
    if prev in ("for", "by") and w.endswith("ing") and w not in _EN_ING_EXCEPTIONS and len(w) > 5:
        stem = w[:-3]
        return stem + "e" if stem.endswith(("at", "iz", "is", "us", "ur", "uc", "v")) else stem
    return None
