"""Language of an article's text, as an ISO 639-1 code (py3langid: deterministic, model in the package)."""

from __future__ import annotations

#: Shorter texts say too little about their language to name it.
MIN_CHARS = 20


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    if len(text) < MIN_CHARS:
        return None
    import py3langid  # imported here: loading its model costs half a second

    code, _score = py3langid.classify(text)
    return None if code == "zxx" else code  # zxx: "no linguistic content"
