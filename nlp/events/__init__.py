"""From tagged articles to events: facts per article, grouping into events, the stage."""
