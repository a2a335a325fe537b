"""Understanding articles: event classifiers and the tag stage."""
