"""nltk's VADER analyzer, made to score exactly like the reference vaderSentiment 3.3.2.

nltk's port of VADER drifted from the reference implementation. Measured on the project's
feedback and the bad-input texts, these rules differ, and this subclass follows the reference
for each (the rule tables are imported from the vaderSentiment package, not copied):

- tokens: nltk drops one-character tokens and strips one punctuation mark; the reference keeps
  every token and strips all leading and trailing punctuation unless that leaves <= 2 chars;
- token position: nltk looks a repeated word up at its first occurrence, so the second "good"
  in a text takes the negation of the first; the reference uses each token's own position;
- "no": the reference negates the next three words after "no" ("no complaints");
- emoji: the reference replaces each emoji by its description ("smiling face") first;
- boosters and idioms: the reference's tables are larger ("incredible", "total", "to die for"),
  and it boosts by the n-gram's own value; "never so good" is x1.25, not x1.5; "without doubt"
  does not negate;
- "but": the reference rescales by looking each value up with ``list.index``, which touches
  the first equal value; reproduced as is, since equality with the reference is the target.

Everything else (lexicon parsing, "least", punctuation emphasis, the final score) is nltk's.
The lexicon comes through ``nltk.data`` from the project-local folder (see ``lexicon.py``).
Lowercasing is done once per text instead of once per rule, which is most of the speed-up.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

from nltk.sentiment.vader import SentimentIntensityAnalyzer
from vaderSentiment import vaderSentiment as reference

from warehouse.sentiment.lexicon import EMOJI_RESOURCE, LEXICON_RESOURCE, ensure_lexicon, load_resource_text

SCORE_KEYS = ("neg", "neu", "pos", "compound")


def strip_punctuation_if_word(token: str) -> str:
    """Strip surrounding punctuation unless that leaves <= 2 chars (an emoticon like ":)")."""
    stripped = token.strip(string.punctuation)
    return token if len(stripped) <= 2 else stripped


def has_cap_differential(tokens: list[str]) -> bool:
    """True when some but not all tokens are ALL CAPS (then caps mean emphasis)."""
    upper = sum(1 for token in tokens if token.isupper())
    return 0 < len(tokens) - upper < len(tokens)


class ReferenceVader(SentimentIntensityAnalyzer):
    """nltk's SentimentIntensityAnalyzer whose scores equal vaderSentiment 3.3.2's."""

    def __init__(self, nltk_data_dir: Path | None = None) -> None:
        ensure_lexicon(nltk_data_dir)
        super().__init__(lexicon_file=LEXICON_RESOURCE)
        self.constants.BOOSTER_DICT = dict(reference.BOOSTER_DICT)
        self.constants.NEGATE = set(reference.NEGATE)
        self.special_cases = dict(reference.SPECIAL_CASES)
        self.emojis = self._parse_emoji_lexicon(load_resource_text(EMOJI_RESOURCE))
        # The reference matches emoji one character at a time, so only 1-char keys ever match.
        single = sorted(key for key in self.emojis if len(key) == 1)
        self._token_cache: dict[str, tuple[str, str]] = {}
        self._emoji_pattern = re.compile("[" + "".join(re.escape(key) for key in single) + "]")

    @staticmethod
    def _parse_emoji_lexicon(text: str) -> dict[str, str]:
        """Emoji -> its textual description, one tab-separated pair a line."""
        pairs = (line.strip().split("\t")[0:2] for line in text.split("\n"))
        return {emoji: description for emoji, description in pairs}

    def translate_emojis(self, text: str) -> str:
        """Replace each emoji by its description, spaced as the reference does."""
        if text.isascii():
            return text.strip()

        def describe(match: re.Match[str]) -> str:
            start = match.start()
            needs_space = start > 0 and text[start - 1] != " "
            return (" " if needs_space else "") + self.emojis[match.group()]

        return self._emoji_pattern.sub(describe, text).strip()

    def polarity_scores(self, text: str) -> dict[str, float]:
        """neg, neu, pos (shares of the text) and compound (-1..1), as the reference computes."""
        text = self.translate_emojis(text)
        tokens, lowered = self._tokenize(text)
        is_cap_diff = has_cap_differential(tokens)
        boosters, lexicon = self.constants.BOOSTER_DICT, self.lexicon
        sentiments: list[float] = []
        for i, low in enumerate(lowered):
            is_kind_of = low == "kind" and i < len(lowered) - 1 and lowered[i + 1] == "of"
            if low in boosters or is_kind_of or low not in lexicon:
                sentiments.append(0)
            else:
                sentiments.append(self._token_valence(tokens, lowered, i, is_cap_diff))
        sentiments = self._reference_but_check(lowered, sentiments)
        return self.score_valence(sentiments, text)

    def _tokenize(self, text: str) -> tuple[list[str], list[str]]:
        """Tokens with punctuation stripped, and their lowercase forms (memoised per token)."""
        cache = self._token_cache
        if len(cache) > 500_000:
            cache.clear()
        tokens, lowered = [], []
        for raw in text.split():
            pair = cache.get(raw)
            if pair is None:
                stripped = strip_punctuation_if_word(raw)
                pair = cache[raw] = (stripped, stripped.lower())
            tokens.append(pair[0])
            lowered.append(pair[1])
        return tokens, lowered

    def _token_valence(self, tokens: list[str], lowered: list[str], i: int, is_cap_diff: bool) -> float:
        """Valence of token ``i`` after the "no", caps, booster, negation and idiom rules."""
        lexicon, constants = self.lexicon, self.constants
        low = lowered[i]
        if low not in lexicon:
            return 0
        valence = lexicon[low]
        if low == "no" and i != len(lowered) - 1 and lowered[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lowered[i - 1] == "no")
            or (i > 1 and lowered[i - 2] == "no")
            or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ("or", "nor"))
        ):
            valence = lexicon[low] * constants.N_SCALAR
        if tokens[i].isupper() and is_cap_diff:
            valence = valence + constants.C_INCR if valence > 0 else valence - constants.C_INCR
        for start_i in range(3):
            if i > start_i and lowered[i - (start_i + 1)] not in lexicon:
                scalar = constants.scalar_inc_dec(tokens[i - (start_i + 1)], valence, is_cap_diff)
                if start_i == 1 and scalar != 0:
                    scalar *= 0.95
                if start_i == 2 and scalar != 0:
                    scalar *= 0.9
                valence = self._reference_negation_check(valence + scalar, lowered, start_i, i)
                if start_i == 2:
                    valence = self._reference_idioms_check(valence, lowered, i)
        return self._least_check(valence, tokens, i)

    def _is_negation(self, lowered_word: str) -> bool:
        """The reference's ``negated([word])`` for one lowercased word."""
        return lowered_word in self.constants.NEGATE or "n't" in lowered_word

    def _reference_negation_check(self, valence: float, lowered: list[str], start_i: int, i: int) -> float:
        """Negation by the word ``start_i + 1`` places back, with the reference's exceptions."""
        scalar = self.constants.N_SCALAR
        back = lowered[i - (start_i + 1)]
        if start_i == 0:
            return valence * scalar if self._is_negation(back) else valence
        if start_i == 1:
            if lowered[i - 2] == "never" and lowered[i - 1] in ("so", "this"):
                return valence * 1.25
            if lowered[i - 2] == "without" and lowered[i - 1] == "doubt":
                return valence
            return valence * scalar if self._is_negation(back) else valence
        if (lowered[i - 3] == "never" and lowered[i - 2] in ("so", "this")) or lowered[i - 1] in ("so", "this"):
            return valence * 1.25
        if lowered[i - 3] == "without" and "doubt" in (lowered[i - 2], lowered[i - 1]):
            return valence
        return valence * scalar if self._is_negation(back) else valence

    def _reference_idioms_check(self, valence: float, lowered: list[str], i: int) -> float:
        """Special-case idioms around token ``i`` and booster n-grams before it."""
        onezero = f"{lowered[i - 1]} {lowered[i]}"
        twoonezero = f"{lowered[i - 2]} {lowered[i - 1]} {lowered[i]}"
        twoone = f"{lowered[i - 2]} {lowered[i - 1]}"
        threetwoone = f"{lowered[i - 3]} {lowered[i - 2]} {lowered[i - 1]}"
        threetwo = f"{lowered[i - 3]} {lowered[i - 2]}"
        for sequence in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if sequence in self.special_cases:
                valence = self.special_cases[sequence]
                break
        if len(lowered) - 1 > i:
            zeroone = f"{lowered[i]} {lowered[i + 1]}"
            valence = self.special_cases.get(zeroone, valence)
        if len(lowered) - 1 > i + 1:
            zeroonetwo = f"{lowered[i]} {lowered[i + 1]} {lowered[i + 2]}"
            valence = self.special_cases.get(zeroonetwo, valence)
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in self.constants.BOOSTER_DICT:
                valence = valence + self.constants.BOOSTER_DICT[n_gram]
        return valence

    @staticmethod
    def _reference_but_check(lowered: list[str], sentiments: list[float]) -> list[float]:
        """Halve valences before the first "but", x1.5 after, with the reference's index lookup."""
        if "but" not in lowered:
            return sentiments
        but_index = lowered.index("but")
        for position in range(len(sentiments)):
            value = sentiments[position]
            first = sentiments.index(value)
            if first < but_index:
                sentiments[first] = value * 0.5
            elif first > but_index:
                sentiments[first] = value * 1.5
        return sentiments
