"""Customer feedback whose text, rating and latent sentiment agree, with realistic noise.

A review starts from the category's current latent sentiment plus the customer's own mood.
Its clauses are drawn from phrase banks: each clause is positive with a probability that rises
with the review's sentiment, so mid-range reviews come out mixed ("..., but ..."). Negation
("not great", "not bad at all"), intensifiers and domain phrases that a general lexicon misses
("fell apart", "runs small") are part of the banks. The rating follows the latent sentiment
with noise, so it agrees with the text without being a function of it.

Dates, latent sentiment and ratings are drawn as whole columns from the numpy generator; the
many small choices that compose a text come from a ``random.Random`` seeded from it, which is
an order of magnitude cheaper per draw and as deterministic.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from warehouse.synthetic.world import CATEGORIES, CategoryProfile, World, sentiment_level, years_since_origin

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


def positive_clause(rng: random.Random, aspect: str, strength: float) -> str:
    """One favourable remark about an aspect."""
    intensifier = rng.choice(INTENSIFIERS) if strength > 0.5 else ""
    form = rng.randrange(5)
    if form == 0:
        return f"the {aspect} is {intensifier}{rng.choice(POSITIVE_ADJECTIVES)}"
    if form == 1:
        return f"the {aspect} {rng.choice(POSITIVE_DOMAIN)}"
    if form == 2:
        return f"the {aspect} is not {rng.choice(('bad', 'terrible', 'disappointing'))} at all"
    if form == 3:
        return f"no complaints about the {aspect}"
    return f"{intensifier}happy with the {aspect}"


def negative_clause(rng: random.Random, aspect: str, strength: float) -> str:
    """One unfavourable remark about an aspect."""
    intensifier = rng.choice(INTENSIFIERS) if strength > 0.5 else ""
    form = rng.randrange(5)
    if form == 0:
        return f"the {aspect} is {intensifier}{rng.choice(NEGATIVE_ADJECTIVES)}"
    if form == 1:
        return f"the {aspect} {rng.choice(NEGATIVE_DOMAIN)}"
    if form == 2:
        return f"the {aspect} is not {rng.choice(('great', 'good', 'worth it'))}"
    if form == 3:
        return f"not happy with the {aspect}"
    return f"the {aspect} was {intensifier}{rng.choice(('frustrating', 'annoying', 'a letdown'))}"


def compose_text(rng: random.Random, category: CategoryProfile, sentiment: float) -> str:
    """A review text for a latent sentiment in -1..1."""
    noun = rng.choice(PRODUCT_NOUNS[category.name])
    aspects = rng.sample(category.aspects, rng.randint(1, 3))
    positive_share = (1 + sentiment) / 2
    clauses = []
    for aspect in aspects:
        strength = abs(sentiment) + rng.gauss(0, 0.2)
        if rng.random() < positive_share:
            clauses.append(positive_clause(rng, aspect, strength))
        else:
            clauses.append(negative_clause(rng, aspect, strength))
    body = clauses[0]
    for clause in clauses[1:]:
        body += rng.choice((", and ", ", but ", "; ", ". Also ")) + clause
    if sentiment > 0.3:
        opener, closer = rng.choice(POSITIVE_OPENERS), rng.choice(POSITIVE_CLOSERS)
    elif sentiment < -0.3:
        opener, closer = rng.choice(NEGATIVE_OPENERS), rng.choice(NEGATIVE_CLOSERS)
    else:
        opener, closer = rng.choice(NEUTRAL_OPENERS), rng.choice(NEUTRAL_CLOSERS)
    sentence = f"Bought the {noun}: {body}." if rng.random() < 0.5 else f"{body[0].upper()}{body[1:]}."
    return " ".join(part for part in (opener, sentence, closer) if part)


def ratings_for(rng: np.random.Generator, sentiment: np.ndarray) -> np.ndarray:
    """1..5 star ratings that follow the latent sentiment with noise."""
    return np.clip(np.rint(3 + 2.2 * sentiment + rng.normal(0, 0.55, sentiment.size)), 1, 5).astype(np.int64)


def latent_sentiments(
    rng: np.random.Generator, world: World, dates: pd.DatetimeIndex, day_index: np.ndarray, category_index: np.ndarray
) -> np.ndarray:
    """Each review's latent sentiment: its category's level on its day plus the customer's mood."""
    years = years_since_origin(world, dates)
    levels = np.array([[sentiment_level(category, float(y)) for y in years] for category in CATEGORIES])
    return np.clip(levels[category_index, day_index] + rng.normal(0, 0.5, day_index.size), -1, 1)


def generate_feedback(
    rng: np.random.Generator, world: World, n_rows: int, first_id: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (feedback rows as the raw seed has them, latent sentiment truth per row)."""
    dates = pd.date_range(world.start, world.end, freq="D")
    day_index = np.sort(rng.integers(0, dates.size, n_rows))
    category_index = rng.integers(0, len(CATEGORIES), n_rows)
    latent = latent_sentiments(rng, world, dates, day_index, category_index)
    ratings = ratings_for(rng, latent)
    text_rng = random.Random(int(rng.integers(0, 2**63)))
    texts = [compose_text(text_rng, CATEGORIES[cat], sentiment) for cat, sentiment in zip(category_index.tolist(), latent.tolist())]
    ids = np.arange(first_id, first_id + n_rows, dtype=np.int64)
    feedback = pd.DataFrame(
        {
            "feedback_id": ids,
            "date": dates.strftime("%Y-%m-%d").to_numpy()[day_index],
            "product_category": np.array([category.name for category in CATEGORIES])[category_index],
            "feedback_text": texts,
            "rating": ratings,
        }
    )
    return feedback, pd.DataFrame({"feedback_id": ids, "latent_sentiment": np.round(latent, 4)})
