"""Right-to-left text in reading order on paper: the Unicode Bidirectional Algorithm (UAX #9).

reportlab draws every line left to right, one glyph per character, in the order it is given.
Hebrew and Arabic are stored in reading order, so each line must be put in drawing order after
the paragraph has been broken into lines (app.reports.paragraph): reordering before wrapping
would make a right-to-left run longer than one line read from its last line up.

What is implemented: the paragraph level (P2, P3); the weak types, so numbers keep their digits
in order and "12.5%" stays whole inside Hebrew (W1-W7); paired brackets (N0); neutrals (N1, N2);
the implicit levels (I1, I2); and per line the trailing whitespace (L1), the reordering (L2),
combining marks kept after their base letter as the fonts expect (L3) and mirrored brackets
(L4). Explicit embedding and isolate controls (U+202A-U+202E, U+2066-U+2069), which office users
do not type, are treated as invisible and do not change the direction (rule X9 alone).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_STRONG_RTL = frozenset({"R", "AL"})
_NUMBERS = frozenset({"EN", "AN"})
_NEUTRALS = frozenset({"B", "S", "WS", "ON", "LRI", "RLI", "FSI", "PDI"})
# Removed by X9: they take no part in the algorithm and take their neighbour's level.
_REMOVED = frozenset({"RLE", "LRE", "RLO", "LRO", "PDF", "BN"})
_ISOLATES = frozenset({"LRI", "RLI", "FSI", "PDI"})
_LINE_END_WHITESPACE = frozenset({"WS", "LRI", "RLI", "FSI", "PDI", *_REMOVED})

# Bidi_Paired_Bracket (BidiBrackets.txt): opening bracket -> closing bracket.
_OPENING = {
    "(": ")", "[": "]", "{": "}", "\u0f3a": "\u0f3b", "\u0f3c": "\u0f3d", "\u169b": "\u169c",
    "\u2045": "\u2046", "\u207d": "\u207e", "\u208d": "\u208e", "\u2308": "\u2309",
    "\u230a": "\u230b", "\u2329": "\u232a", "\u2768": "\u2769", "\u276a": "\u276b",
    "\u276c": "\u276d", "\u276e": "\u276f", "\u2770": "\u2771", "\u2772": "\u2773",
    "\u2774": "\u2775", "\u27c5": "\u27c6", "\u27e6": "\u27e7", "\u27e8": "\u27e9",
    "\u27ea": "\u27eb", "\u27ec": "\u27ed", "\u27ee": "\u27ef", "\u2983": "\u2984",
    "\u2985": "\u2986", "\u2987": "\u2988", "\u2989": "\u298a", "\u298b": "\u298c",
    "\u298d": "\u2990", "\u298f": "\u298e", "\u2991": "\u2992", "\u2993": "\u2994",
    "\u2995": "\u2996", "\u2997": "\u2998", "\u29d8": "\u29d9", "\u29da": "\u29db",
    "\u29fc": "\u29fd", "\u2e22": "\u2e23", "\u2e24": "\u2e25", "\u2e26": "\u2e27",
    "\u2e28": "\u2e29", "\u3008": "\u3009", "\u300a": "\u300b", "\u300c": "\u300d",
    "\u300e": "\u300f", "\u3010": "\u3011", "\u3014": "\u3015", "\u3016": "\u3017",
    "\u3018": "\u3019", "\u301a": "\u301b", "\ufe59": "\ufe5a", "\ufe5b": "\ufe5c",
    "\ufe5d": "\ufe5e", "\uff08": "\uff09", "\uff3b": "\uff3d", "\uff5b": "\uff5d",
    "\uff5f": "\uff60", "\uff62": "\uff63",
}  # fmt: skip
_CLOSING = {closing: opening for opening, closing in _OPENING.items()}
# Canonically equivalent angle brackets pair with each other.
_SAME_BRACKET = {"\u2329": "\u3008", "\u232a": "\u3009"}

# Bidi_Mirroring_Glyph (BidiMirroring.txt) for the characters a document is likely to hold;
# a mirrored character without a partner here (∑, ∫) is drawn as it is.
_MIRROR_PAIRS = (
    "()<>[]{}«»‹›⁅⁆⁽⁾₍₎≤≥≦≧≪≫≺≻⊂⊃⊆⊇⊏⊐⊑⊒⊢⊣⌈⌉⌊⌋〈〉❨❩❪❫❬❭❮❯❰❱❲❳❴❵⟅⟆⟦⟧⟨⟩⟪⟫⦃⦄⦅⦆"
    "〈〉《》「」『』【】〔〕〖〗〘〙〚〛﹙﹚﹛﹜﹝﹞﹤﹥（）＜＞［］｛｝｟｠｢｣"
)
_MIRROR = {
    **dict(zip(_MIRROR_PAIRS[::2], _MIRROR_PAIRS[1::2], strict=True)),
    **{b: a for a, b in zip(_MIRROR_PAIRS[::2], _MIRROR_PAIRS[1::2], strict=True)},
}


def bidi_class(char: str) -> str:
    # Unassigned code points default to L, except in the right-to-left blocks (DerivedBidiClass).
    kind = unicodedata.bidirectional(char)
    if kind:
        return kind
    code = ord(char)
    if 0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "AL" if code >= 0x0600 else "R"
    if 0x10800 <= code <= 0x10FFF or 0x1E800 <= code <= 0x1EFFF:
        return "R"
    return "L"


# Blocks holding every strong right-to-left character (Hebrew, Arabic, Syriac, Thaana, NKo,
# Samaritan, Mandaic, their presentation forms, the historic scripts, and RLM): a fast first
# look, as a report sets tens of thousands of paragraphs and almost none hold such text.
_MAYBE_RTL = re.compile(
    "[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def has_right_to_left(text: str) -> bool:
    """Whether any character of text is written right to left (only then is there work)."""
    return bool(_MAYBE_RTL.search(text)) and any(bidi_class(c) in _STRONG_RTL for c in text)


def paragraph_level(text: str) -> int:
    """0 (left to right) or 1 (right to left): the direction of the first strong letter (P2)."""
    for char in text:
        kind = bidi_class(char)
        if kind == "L":
            return 0
        if kind in _STRONG_RTL:
            return 1
    return 0


def levels(text: str, base: int) -> list[int]:
    """The embedding level of each character of one paragraph, before line breaking."""
    classes = [bidi_class(char) for char in text]
    kept = [index for index, kind in enumerate(classes) if kind not in _REMOVED]
    types = [classes[index] for index in kept]
    original = list(types)
    edge = "R" if base % 2 else "L"  # sos and eos: one run at the paragraph level

    _weak_types(types, edge)
    _paired_brackets(types, original, [text[index] for index in kept], edge)
    _neutrals(types, edge)

    resolved = [base] * len(text)
    for position, index in enumerate(kept):
        kind = types[position]
        if base % 2 == 0:
            resolved[index] = base + (1 if kind == "R" else 2 if kind in _NUMBERS else 0)
        else:
            resolved[index] = base + (1 if kind in ("L", "EN", "AN") else 0)
    # X9: a removed character takes the level of the one before it (the base level at the start).
    for index, kind in enumerate(classes):
        if kind in _REMOVED:
            resolved[index] = resolved[index - 1] if index else base
    return resolved


def _weak_types(types: list[str], sos: str) -> None:
    count = len(types)
    # W1: a combining mark takes the type of the character it sits on.
    for index in range(count):
        if types[index] == "NSM":
            previous = types[index - 1] if index else sos
            types[index] = "ON" if previous in _ISOLATES else previous
    # W2: a European number after Arabic letters is an Arabic number. W3: AL is R.
    strong = sos
    for index in range(count):
        kind = types[index]
        if kind in ("L", "R", "AL"):
            strong = kind
        elif kind == "EN" and strong == "AL":
            types[index] = "AN"
    for index in range(count):
        if types[index] == "AL":
            types[index] = "R"
    # W4: one separator between two numbers of the same kind joins them ("1,000", "3.5").
    for index in range(1, count - 1):
        kind, before, after = types[index], types[index - 1], types[index + 1]
        if kind == "ES" and before == after == "EN":
            types[index] = "EN"
        elif kind == "CS" and before == after and before in _NUMBERS:
            types[index] = before
    # W5: terminators beside a European number belong to it ("$12", "12%").
    index = 0
    while index < count:
        if types[index] != "ET":
            index += 1
            continue
        end = index
        while end < count and types[end] == "ET":
            end += 1
        if (index > 0 and types[index - 1] == "EN") or (end < count and types[end] == "EN"):
            types[index:end] = ["EN"] * (end - index)
        index = end
    # W6: other separators and terminators are neutral.
    for index in range(count):
        if types[index] in ("ES", "ET", "CS"):
            types[index] = "ON"
    # W7: a European number in left-to-right text is left to right.
    strong = sos
    for index in range(count):
        kind = types[index]
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            types[index] = "L"


def _strong_direction(kind: str) -> str | None:
    # Within N0 and N1 numbers count as right to left.
    if kind == "L":
        return "L"
    if kind in ("R", "EN", "AN"):
        return "R"
    return None


def _bracket_pairs(types: list[str], chars: list[str]) -> list[tuple[int, int]]:
    """BD16: matching opening and closing brackets, ordered by their opening one."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for index, char in enumerate(chars):
        if types[index] != "ON":
            continue
        if char in _OPENING:
            if len(stack) == 63:
                break
            stack.append((_SAME_BRACKET.get(_OPENING[char], _OPENING[char]), index))
        elif char in _CLOSING:
            wanted = _SAME_BRACKET.get(char, char)
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == wanted:
                    pairs.append((stack[depth][1], index))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _paired_brackets(types: list[str], original: list[str], chars: list[str], sos: str) -> None:
    """N0: a bracket pair takes the direction of what it encloses, or of its context. With one
    run at the paragraph level, the embedding direction is that of sos."""
    embedding = sos
    for opening, closing in _bracket_pairs(types, chars):
        inside = {_strong_direction(kind) for kind in types[opening + 1 : closing]}
        if embedding in inside:
            direction = embedding
        elif inside - {None}:
            before = next(
                (
                    found
                    for kind in reversed(types[:opening])
                    if (found := _strong_direction(kind)) is not None
                ),
                sos,
            )
            # Only the opposite direction inside: it, if the text before is that way too; else
            # the embedding direction. Either way the direction of the text before.
            direction = before
        else:
            continue
        for bracket in (opening, closing):
            types[bracket] = direction
            # Marks on a bracket follow it.
            mark = bracket + 1
            while mark < len(types) and original[mark] == "NSM":
                types[mark] = direction
                mark += 1


def _neutrals(types: list[str], edge: str) -> None:
    """N1, N2: neutrals between two runs of one direction take it; others the paragraph's."""
    count = len(types)
    index = 0
    while index < count:
        if types[index] not in _NEUTRALS:
            index += 1
            continue
        end = index
        while end < count and types[end] in _NEUTRALS:
            end += 1
        # What remains after the weak rules is L, R or a number beside the neutrals.
        before = (_strong_direction(types[index - 1]) if index else None) or edge
        after = (_strong_direction(types[end]) if end < count else None) or edge
        direction = before if before == after else edge
        types[index:end] = [direction] * (end - index)
        index = end


def visual_indices(text: str, line_levels: Sequence[int], base: int) -> list[int]:
    """The positions of one line's characters in drawing order, left to right.

    line_levels: the levels of this line's characters, from levels() of its whole paragraph.
    """
    count = len(text)
    resolved = list(line_levels)
    # L1: whitespace before a tab and at the end of the line goes back to the paragraph level.
    trailing = True
    for index in range(count - 1, -1, -1):
        kind = bidi_class(text[index])
        if kind in ("S", "B"):
            resolved[index] = base
            trailing = True
        elif trailing and kind in _LINE_END_WHITESPACE:
            resolved[index] = base
        else:
            trailing = False
    # L3: a letter and the marks on it move together, so a mark is still drawn after its base.
    clusters: list[list[int]] = []
    for index in range(count):
        if (
            clusters
            and unicodedata.combining(text[index])
            and resolved[index] == resolved[clusters[-1][0]]
        ):
            clusters[-1].append(index)
        else:
            clusters.append([index])
    cluster_levels = [resolved[cluster[0]] for cluster in clusters]
    # L2: from the highest level down to the lowest odd one, reverse every run at that level
    # or higher.
    order = list(range(len(clusters)))
    if cluster_levels:
        highest = max(cluster_levels)
        lowest_odd = min((level for level in cluster_levels if level % 2), default=highest + 1)
        for level in range(highest, lowest_odd - 1, -1):
            start = 0
            while start < len(order):
                if cluster_levels[order[start]] < level:
                    start += 1
                    continue
                end = start
                while end < len(order) and cluster_levels[order[end]] >= level:
                    end += 1
                order[start:end] = reversed(order[start:end])
                start = end
    return [index for cluster in order for index in clusters[cluster]]


def drawn_char(char: str, level: int) -> str:
    """L4: a bracket or other mirrored sign in right-to-left text is drawn facing the other way."""
    return _MIRROR.get(char, char) if level % 2 else char


def visual(text: str, base: int | None = None) -> str:
    """One line of text in drawing order (paragraph level from its first letter if not given)."""
    if not has_right_to_left(text):
        return text
    level = paragraph_level(text) if base is None else base
    line_levels = levels(text, level)
    return "".join(
        drawn_char(text[index], line_levels[index])
        for index in visual_indices(text, line_levels, level)
    )
