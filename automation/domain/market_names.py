"""Resolve a typed market name (희망시장1/2) to a row of 시장: exact, normalised, then fuzzy
(rapidfuzz), with the applicant's 시군 as context."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 80.0
CLEAR_MARGIN = 8.0
SAME_SIGUN_BONUS = 6.0
_PUNCT = re.compile(r"[\s\-_.,·ㆍ/()\[\]{}'\"]+")


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", name))
    return _PUNCT.sub("", text).casefold()


@dataclass(frozen=True)
class MarketRef:
    code: str
    name: str
    sigun: str

    def label(self, with_code: bool = False) -> str:
        """'중앙시장(안양시)'; with_code: '중앙시장(안양시, MK1)', for markets that share name and 시군."""
        place = ", ".join(p for p in (self.sigun, self.code if with_code else "") if p)
        return f"{self.name}({place})" if place else self.name


@dataclass(frozen=True)
class Resolution:
    """kind: exact | normalized | fuzzy | ambiguous | none."""

    kind: str
    market: MarketRef | None = None
    candidates: tuple[MarketRef, ...] = ()


class MarketIndex:
    def __init__(self, markets: Iterable[MarketRef]) -> None:
        self.markets = [m for m in markets if m.name.strip()]
        self._by_name: dict[str, list[MarketRef]] = {}
        self._by_key: dict[str, list[MarketRef]] = {}
        self._by_code = {m.code.strip(): m for m in self.markets if m.code.strip()}
        for m in self.markets:
            self._by_name.setdefault(m.name.strip(), []).append(m)
            self._by_key.setdefault(name_key(m.name), []).append(m)
        self._keys = list(self._by_key)
        # Hangul compared letter by letter (jamo): '모란시잔' is one letter away from '모란시장'
        self._jamo = [unicodedata.normalize("NFD", k) for k in self._keys]

    @staticmethod
    def _pick(found: list[MarketRef], sigun: str | None) -> MarketRef | tuple[MarketRef, ...]:
        if len(found) == 1:
            return found[0]
        local = [m for m in found if sigun and m.sigun == sigun]
        return local[0] if len(local) == 1 else tuple(found)

    def resolve(self, typed: str, sigun: str | None = None) -> Resolution:
        typed = typed.strip()
        if not typed:
            return Resolution("none")
        if typed in self._by_code:  # a 시장코드 names one market, whatever its name
            return Resolution("exact", self._by_code[typed])
        for kind, found in (
            ("exact", self._by_name.get(typed, [])),
            ("normalized", self._by_key.get(name_key(typed), [])),
        ):
            if found:
                pick = self._pick(found, sigun)
                if isinstance(pick, MarketRef):
                    return Resolution(kind, pick)
                return Resolution("ambiguous", candidates=pick)
        return self._fuzzy(name_key(typed), sigun)

    def _fuzzy(self, key: str, sigun: str | None) -> Resolution:
        if not key or not self._keys:
            return Resolution("none")
        best_by_index: dict[int, float] = {}
        # syllables catch dropped words ('장현시장' ~ '장현전통시장'); jamo catch one-letter slips
        # ('모란시잔' ~ '모란시장'): the better of the two scores counts
        for query, choices in ((key, self._keys), (unicodedata.normalize("NFD", key), self._jamo)):
            for _, score, index in process.extract(
                query, choices, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, limit=8
            ):
                best_by_index[index] = max(best_by_index.get(index, 0.0), score)
        scored: list[tuple[float, MarketRef]] = []
        for index, score in best_by_index.items():
            for m in self._by_key[self._keys[index]]:
                scored.append((score + (SAME_SIGUN_BONUS if sigun and m.sigun == sigun else 0.0), m))
        if not scored:
            return Resolution("none")
        scored.sort(key=lambda s: (-s[0], s[1].name, s[1].code))
        best = scored[0]
        if len(scored) == 1 or best[0] - scored[1][0] >= CLEAR_MARGIN:
            return Resolution("fuzzy", best[1])
        close = tuple(m for s, m in scored if best[0] - s < CLEAR_MARGIN)[:4]
        return Resolution("ambiguous", candidates=close)
