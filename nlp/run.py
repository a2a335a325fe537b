"""The tag stage: classify every pending article in batches (`python -m nlp.run --db PATH`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

import store
from nlp.classify import Classifier, classifier_text, load_classifier
from riskwatch.errors import RiskwatchError

log = logging.getLogger(__name__)


def tag_pending(
    db,
    classifier: Classifier,
    batch_size: int = 32,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Tag all articles with status "new"; returns how many were tagged.

    Each article's tags and its status change commit together, so an interrupted stage
    loses nothing and resumes with the rest.
    """
    done = 0
    for batch in store.pending_batches(db, size=batch_size):
        results = classifier.classify([classifier_text(a["title"], a["body"]) for a in batch])
        for article, tags in zip(batch, results, strict=True):
            store.save_tags(db, article["id"], tags, classifier.name, classifier.version)
        done += len(batch)
        if on_batch:
            on_batch(len(batch))
    log.info("tagged %d articles with %s %s", done, classifier.name, classifier.version)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.run", description=__doc__)
    parser.add_argument("--db", default="riskwatch.db", help="database file")
    parser.add_argument("--model", default="default", help="classifier name or path")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        db = store.open_db(args.db)
        classifier = load_classifier(args.model, say=log.info)
        log.info("tagging with %s %s", classifier.name, classifier.version)
        count = tag_pending(db, classifier, args.batch_size)
    except RiskwatchError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 2
    print(f"tagged {count} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
