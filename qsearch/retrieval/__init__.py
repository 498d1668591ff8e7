"""Retrieval over embeddings: data sets, buckets (IVF k-means, LSH), ``retrieve`` with one cost
bill, evaluation against exact k-NN, alignment between embeddings, and sentence embedding."""
