"""Collecting articles: the source registry, one generic spider, extraction and the store sink."""
