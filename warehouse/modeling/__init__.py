"""The integrated weekly sales model: features, the quantile forest, training, serving."""
