"""Language identification with py3langid, limited to languages riskwatch is likely to meet."""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Restricting the model avoids exotic answers on short text (it reads Mandarin as Wu, 'wuu').
LANGUAGES = ["en", "zh", "fr", "de", "es", "ja", "ko", "it", "pt", "nl", "ru", "ar", "pl", "sv"]


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str, hint: str | None = None, min_confidence: float = 0.6) -> str | None:
    """ISO 639-1 code of `text`; `hint` (e.g. <html lang>) wins when the model is unsure."""
    sample = text[:2000].strip()
    if not sample:
        return _short(hint)
    lang, confidence = _identifier().classify(sample)
    if confidence < min_confidence and hint:
        return _short(hint)
    return lang


def _short(code: str | None) -> str | None:
    return code.split("-")[0].split("_")[0].lower() or None if code else None
