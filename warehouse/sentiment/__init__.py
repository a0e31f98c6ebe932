"""NLP for customer feedback: offline VADER scores equal to the reference implementation, a
supervised TF-IDF model trained on ratings, their evaluation, top terms and figures.
"""

from warehouse.sentiment.scoring import score_feedback, score_partition, sentiment_label

__all__ = ["score_feedback", "score_partition", "sentiment_label"]
