"""Search as people type: Arabic and English normalisation, light stemming, ranking.

Arabic: diacritics and tatweel are dropped, أ/إ/آ/ٱ → ا, ة → ه, ى → ي, ؤ → و,
ئ → ي; Arabic-Indic and Persian digits become ASCII; Latin is lower-cased.
Tokens are compared through their light stems (ال، وال، بال، لل … prefixes and
ات، ه suffixes stripped) and a small table of everyday synonyms (رخصة ↔ ترخيص,
licence ↔ license ↔ permit), so that «رخصه بنا» finds «ترخيص بناء».
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from catalog_service.domain.catalogue import Category, Service
from mahaliyat.digits import TO_ASCII

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_FOLD = (
    str.maketrans(
        {
            "أ": "ا",
            "إ": "ا",
            "آ": "ا",
            "ٱ": "ا",
            "ة": "ه",
            "ى": "ي",
            "ؤ": "و",
            "ئ": "ي",
            "ی": "ي",  # Persian yeh
            "ک": "ك",  # Persian kaf
            "ـ": None,  # tatweel
            "٫": ".",
        }
    )
    | TO_ASCII
)
_NOT_WORD = re.compile(r"[^\w]+|_")
_ARABIC = re.compile("[\u0600-\u06ff]")
_BRACKETED = re.compile(r"\([^)]*\)")

STOPWORDS = frozenset(
    {"في", "من", "علي", "الي", "عن", "او", "و", "مع"}
    | {"the", "of", "for", "a", "an", "to", "in", "on", "and", "or", "my", "with"}
)

_ARTICLE_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال")
_LETTER_PREFIXES = "وبفلك"

# One word in its forms, written normalised: رخصة (a licence) and ترخيص (licensing, and the
# licence itself in everyday speech) are what people type for the same thing, and broken
# plurals the stemmer cannot reach. Each family compares as one word (an exact match).
_WORD_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"رخص", "رخصه", "ترخيص", "تراخيص"}),
    frozenset({"تصريح", "تصاريح"}),
    frozenset({"محل", "محال", "محلات"}),
    frozenset({"مبني", "مباني"}),
)
# A family's canonical form: a token of the family stands for all of it.
_CANONICAL: dict[str, str] = {word: min(family) for family in _WORD_FAMILIES for word in family}

# Everyday equivalents that are different words, written normalised; each group is symmetric
# and a match through it counts a little less than the word itself.
_SYNONYM_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"رخصه", "تصريح"}),
    frozenset({"محل", "دكان"}),
    frozenset({"مبني", "بناء", "عقار", "عماره"}),
    frozenset({"شهاده", "افاده", "بيان"}),
    frozenset({"licence", "license", "licensing", "permit"}),
    frozenset({"shop", "store"}),
    frozenset({"certificate", "statement"}),
    frozenset({"building", "construction"}),
    frozenset({"tuk", "tok", "toktok", "tuktuk"}),
)
_SYNONYMS: dict[str, frozenset[str]] = {
    word: group - {word} for group in _SYNONYM_GROUPS for word in group
}

# Words that make a service an act on an existing licence or record (its renewal, transfer,
# replacement, amendment, cancellation). Someone who asks for «رخصة محل» or «توك توك»
# without such a word means the thing itself, so these services rank a little lower then.
_DERIVED_ACTIONS = frozenset(
    {"تجديد", "نقل", "بدل", "تعديل", "الغاء", "تنازل", "استبدال"}
    | {"renewal", "renewing", "transfer", "replacement", "replacing", "amending", "amendment"}
    | {"cancelling", "cancellation"}
)
_DERIVED_FACTOR = 0.85


def normalise(text: str) -> str:
    """The searchable form of ``text``: folded letters, ASCII digits, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _TASHKEEL.sub("", text).translate(_FOLD).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def tokenise(text: str) -> list[str]:
    """Normalised words, stop words removed (unless nothing else is left)."""
    words = normalise(text).split()
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


def stems(token: str) -> frozenset[str]:
    """The token and its light stems (prefixes and suffixes stripped), all normalised."""
    forms = {token}
    if _ARABIC.search(token):
        base = token
        for prefix in _ARTICLE_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 2:
                base = token[len(prefix) :]
                break
        else:
            if token[0] in _LETTER_PREFIXES and len(token) >= 5:
                forms.add(token[1:])
        forms.add(base)
        for form in list(forms):
            if form.endswith("ات") and len(form) >= 5:
                forms.add(form[:-2])
            elif form.endswith("ه") and len(form) >= 4:
                forms.add(form[:-1])
    elif token.isalpha() and len(token) >= 4 and token.endswith("s") and not token.endswith("ss"):
        forms.add(token[:-1])
    forms |= {_CANONICAL[f] for f in forms if f in _CANONICAL}
    return frozenset(forms)


def word(token: str) -> str:
    """The one form a phrase is compared in: article prefix off, a word family's canonical
    form (``الترخيص`` and ``رخصه`` are both ``رخص``)."""
    base = token
    if _ARABIC.search(token):
        for prefix in _ARTICLE_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 2:
                base = token[len(prefix) :]
                break
    family = _CANONICAL.get(base)
    if family is None and base.endswith("ه") and len(base) >= 4:
        family = _CANONICAL.get(base[:-1])
    return family or base


def phrase(text: str) -> str:
    """``text`` (normalised) as a sequence of :func:`word` forms, for phrase matching."""
    return " ".join(word(t) for t in text.split())


def _expand(token: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the token's own stems, the stems of its synonyms)."""
    own = stems(token)
    related: set[str] = set()
    for form in own:
        for synonym in _SYNONYMS.get(form, ()):
            related |= stems(synonym)
    return own, frozenset(related - own)


def _derived(texts: Iterable[str]) -> bool:
    """Whether a name begins with an act on an existing record («تجديد ترخيص …»)."""
    return any(
        bool(words) and words[0] in _DERIVED_ACTIONS for words in (tokenise(t) for t in texts)
    )


@dataclass(frozen=True, slots=True)
class _Field:
    weight: float
    text: str  # normalised words in their :func:`word` forms, parts joined by " | "
    forms: frozenset[str]  # every stem of every token


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """Something searchable: a key, its key code, and weighted text fields."""

    key: str
    code: str  # normalised code ("bld 002"), matched exactly
    fields: tuple[_Field, ...]
    name_token_count: int
    derived: bool = False  # the name begins with an act on an existing record


@dataclass(frozen=True, slots=True)
class SearchHit:
    key: str
    score: float


# Field weights: a word in the name says more than one in a document list.
NAME, KEYWORDS, CATEGORY, DESCRIPTION, DOCUMENTS = 10.0, 8.0, 5.0, 2.0, 1.0
_EXACT, _SYNONYM, _PREFIX = 1.0, 0.8, 0.6
# A query that names a category («تصالح», «إشغال طريق») puts that category's services first.
_CATEGORY_NAMED = 12.0


def _field(weight: float, texts: Iterable[str]) -> _Field:
    normal = [normalise(t) for t in texts]
    forms: set[str] = set()
    for token in tokenise(" ".join(normal)):
        forms |= stems(token)
    return _Field(weight, " | ".join(phrase(t) for t in normal), frozenset(forms))


def document(
    key: str,
    code: str,
    names: Sequence[str],
    keywords: Sequence[str] = (),
    category: Sequence[str] = (),
    description: Sequence[str] = (),
    documents: Sequence[str] = (),
) -> SearchDocument:
    # A bracketed qualifier, «(إنشاء جديد)», does not make a name less on point.
    name_tokens = max((len(tokenise(_BRACKETED.sub(" ", n))) for n in names), default=1)
    fields = (
        _field(NAME, names),
        _field(KEYWORDS, keywords),
        _field(CATEGORY, category),
        _field(DESCRIPTION, description),
        _field(DOCUMENTS, documents),
    )
    return SearchDocument(key, normalise(code), fields, max(name_tokens, 1), _derived(names))


def service_document(service: Service, category: Category | None = None) -> SearchDocument:
    return document(
        service.code,
        service.code,
        names=(service.name_ar, service.name_en),
        keywords=(*service.keywords_ar, *service.keywords_en),
        category=(category.name_ar, category.name_en) if category else (),
        description=(service.description_ar, service.description_en),
        documents=tuple(t for d in service.documents for t in (d.name_ar, d.name_en)),
    )


def _match(own: frozenset[str], related: frozenset[str], forms: frozenset[str]) -> float:
    if own & forms:
        return _EXACT
    if related & forms:
        return _SYNONYM
    for q in own:
        if len(q) >= 2 and any(f.startswith(q) for f in forms):
            return _PREFIX
    return 0.0


def _phrase_bonus(parts: Iterable[str], query: str, exact: float) -> float:
    """Whole-query matches; for a one-word query only an equal phrase counts."""
    one_word = " " not in query
    best = 0.0
    for part in parts:
        if part == query:
            return exact
        if one_word:
            continue
        if part.startswith(query):
            best = max(best, exact / 2)
        elif query in part:
            best = max(best, exact / 4)
    return best


def score(doc: SearchDocument, query: str) -> float:
    """How well ``doc`` answers ``query``; 0 when it does not."""
    normal = normalise(query)
    if not normal:
        return 0.0
    if normal == doc.code:
        return 1000.0
    tokens = tokenise(normal)
    total, matched, name_hits, in_category, asks_derived = 0.0, 0, 0, 0, False
    for token, (own, related) in ((t, _expand(t)) for t in tokens):
        asks_derived = asks_derived or token in _DERIVED_ACTIONS
        scores = [f.weight * _match(own, related, f.forms) for f in doc.fields]
        best = max(scores)
        if not best:
            continue
        matched += 1
        # The best field counts in full; agreeing fields (e.g. the category) add a little.
        total += best + 0.25 * (sum(scores) - best)
        if scores[0]:
            name_hits += 1
        if scores[2] >= CATEGORY * _SYNONYM:
            in_category += 1
    if not matched:
        return 0.0
    name, keywords = doc.fields[0].text.split(" | "), doc.fields[1].text.split(" | ")
    asked = phrase(normal)
    total += max(_phrase_bonus(name, asked, 40.0), _phrase_bonus(keywords, asked, 30.0))
    # Prefer names mostly made of what was asked: «ترخيص بناء» over «تجديد ترخيص بناء».
    total += 5.0 * min(name_hits / doc.name_token_count, 1.0)
    if in_category == len(tokens):
        total += _CATEGORY_NAMED
    if doc.derived and not asks_derived:
        total *= _DERIVED_FACTOR
    coverage = matched / len(tokens)
    return round(total * coverage * coverage, 4)


def rank(docs: Iterable[SearchDocument], query: str, limit: int | None = 20) -> list[SearchHit]:
    """Documents that match ``query``, best first (ties by key for a stable order)."""
    hits = [SearchHit(d.key, s) for d in docs if (s := score(d, query)) > 0]
    hits.sort(key=lambda h: (-h.score, h.key))
    return hits if limit is None else hits[:limit]


def score_service(service: Service, query: str, category: Category | None = None) -> float:
    """Score one service; build documents once with ``service_document`` to search many."""
    return score(service_document(service, category), query)
