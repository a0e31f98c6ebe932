"""Customer feedback whose text, rating and latent sentiment agree, with realistic noise.

A review starts from the category's current latent sentiment plus the customer's own mood.
Its clauses are drawn from phrase banks: each clause is positive with a probability that rises
with the review's sentiment, so mid-range reviews come out mixed ("..., but ..."). Negation
("not great", "not bad at all"), intensifiers and domain phrases that a general lexicon misses
("fell apart", "runs small") are part of the banks. The rating follows the latent sentiment
with noise, so it agrees with the text without being a function of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from warehouse.synthetic.world import CATEGORIES, CategoryProfile, World, sentiment_level

PRODUCT_NOUNS: dict[str, tuple[str, ...]] = {
    "Electronics": ("headphones", "speaker", "tablet", "charger", "smartwatch", "electronics"),
    "Clothing": ("jacket", "shirt", "dress", "jeans", "sweater", "clothing"),
    "Books": ("book", "novel", "cookbook", "paperback", "hardcover", "books"),
    "Home": ("lamp", "shelf", "blender", "rug", "cookware set", "home decor"),
    "Sports": ("running shoes", "yoga mat", "tennis racket", "backpack", "bike helmet", "sports gear"),
}

INTENSIFIERS = ("", "", "", "very ", "really ", "extremely ", "quite ", "incredibly ")
POSITIVE_ADJECTIVES = ("great", "excellent", "solid", "good", "fantastic", "reliable", "impressive", "nice")
NEGATIVE_ADJECTIVES = ("poor", "terrible", "disappointing", "awful", "bad", "weak", "cheap", "mediocre")
# Phrases a general-purpose lexicon mostly scores as neutral: the supervised model learns them.
POSITIVE_DOMAIN = (
    "holds up well", "lasts forever", "works like a charm", "fits like a glove",
    "exceeded expectations", "is worth every penny", "arrived quickly", "feels premium",
)
NEGATIVE_DOMAIN = (
    "fell apart", "broke after a week", "stopped working", "runs small",
    "arrived damaged", "feels flimsy", "is cheaply made", "drains fast",
)
POSITIVE_OPENERS = ("Love it.", "Really happy with this purchase.", "Highly recommend.", "Great value.", "")
NEUTRAL_OPENERS = ("It's okay.", "Mixed feelings.", "Does the job.", "Average overall.", "")
NEGATIVE_OPENERS = ("Very disappointed.", "Would not recommend.", "Not what I expected.", "Regret buying this.", "")
POSITIVE_CLOSERS = ("Would buy again.", "Will order another one.", "Five stars.", "")
NEUTRAL_CLOSERS = ("Might keep it.", "Fine for the price.", "")
NEGATIVE_CLOSERS = ("Returning it.", "Asked for a refund.", "Never again.", "")


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def positive_clause(rng: np.random.Generator, aspect: str, strength: float) -> str:
    """One favourable remark about an aspect."""
    intensifier = _pick(rng, INTENSIFIERS) if strength > 0.5 else ""
    form = int(rng.integers(5))
    if form == 0:
        return f"the {aspect} is {intensifier}{_pick(rng, POSITIVE_ADJECTIVES)}"
    if form == 1:
        return f"the {aspect} {_pick(rng, POSITIVE_DOMAIN)}"
    if form == 2:
        return f"the {aspect} is not {_pick(rng, ('bad', 'terrible', 'disappointing'))} at all"
    if form == 3:
        return f"no complaints about the {aspect}"
    return f"{intensifier}happy with the {aspect}"


def negative_clause(rng: np.random.Generator, aspect: str, strength: float) -> str:
    """One unfavourable remark about an aspect."""
    intensifier = _pick(rng, INTENSIFIERS) if strength > 0.5 else ""
    form = int(rng.integers(5))
    if form == 0:
        return f"the {aspect} is {intensifier}{_pick(rng, NEGATIVE_ADJECTIVES)}"
    if form == 1:
        return f"the {aspect} {_pick(rng, NEGATIVE_DOMAIN)}"
    if form == 2:
        return f"the {aspect} is not {_pick(rng, ('great', 'good', 'worth it'))}"
    if form == 3:
        return f"not happy with the {aspect}"
    return f"the {aspect} was {intensifier}{_pick(rng, ('frustrating', 'annoying', 'a letdown'))}"


def compose_text(rng: np.random.Generator, category: CategoryProfile, sentiment: float) -> str:
    """A review text for a latent sentiment in -1..1."""
    noun = _pick(rng, PRODUCT_NOUNS[category.name])
    n_clauses = int(rng.integers(1, 4))
    aspects = rng.choice(len(category.aspects), size=n_clauses, replace=False)
    positive_share = (1 + sentiment) / 2
    clauses = []
    for aspect_index in aspects:
        aspect = category.aspects[int(aspect_index)]
        strength = abs(sentiment) + rng.normal(0, 0.2)
        if rng.random() < positive_share:
            clauses.append(positive_clause(rng, aspect, strength))
        else:
            clauses.append(negative_clause(rng, aspect, strength))
    body = clauses[0]
    for clause in clauses[1:]:
        body += _pick(rng, (", and ", ", but ", "; ", ". Also ")) + clause
    if sentiment > 0.3:
        opener, closer = _pick(rng, POSITIVE_OPENERS), _pick(rng, POSITIVE_CLOSERS)
    elif sentiment < -0.3:
        opener, closer = _pick(rng, NEGATIVE_OPENERS), _pick(rng, NEGATIVE_CLOSERS)
    else:
        opener, closer = _pick(rng, NEUTRAL_OPENERS), _pick(rng, NEUTRAL_CLOSERS)
    sentence = f"Bought the {noun}: {body}." if rng.random() < 0.5 else f"{body[0].upper()}{body[1:]}."
    return " ".join(part for part in (opener, sentence, closer) if part)


def rating_for(rng: np.random.Generator, sentiment: float) -> int:
    """A 1..5 star rating that follows the latent sentiment with noise."""
    return int(np.clip(np.rint(3 + 2.2 * sentiment + rng.normal(0, 0.55)), 1, 5))


def generate_feedback(
    rng: np.random.Generator, world: World, n_rows: int, first_id: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (feedback rows as the raw seed has them, latent sentiment truth per row)."""
    dates = pd.date_range(world.start, world.end, freq="D")
    day_index = np.sort(rng.integers(0, dates.size, n_rows))
    category_index = rng.integers(0, len(CATEGORIES), n_rows)
    rows, truth = [], []
    for feedback_id, (day, cat) in enumerate(zip(day_index, category_index), start=first_id):
        category = CATEGORIES[int(cat)]
        when = dates[int(day)]
        years = (when - pd.Timestamp(world.origin)).days / 365.25
        latent = float(np.clip(sentiment_level(category, years) + rng.normal(0, 0.5), -1, 1))
        rows.append(
            {
                "feedback_id": feedback_id,
                "date": when.strftime("%Y-%m-%d"),
                "product_category": category.name,
                "feedback_text": compose_text(rng, category, latent),
                "rating": rating_for(rng, latent),
            }
        )
        truth.append({"feedback_id": feedback_id, "latent_sentiment": round(latent, 4)})
    return pd.DataFrame(rows), pd.DataFrame(truth)
