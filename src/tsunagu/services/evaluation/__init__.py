"""Evaluations: retrieval quality against classification-based relevance, and their metrics."""
