"""Panels that work across the corpus: search in context, claims, attribution, statistics."""
