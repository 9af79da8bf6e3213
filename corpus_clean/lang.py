"""Language of an article's text, as an ISO 639-1 code (py3langid: deterministic, model in the package)."""

from __future__ import annotations

#: Shorter texts say too little about their language to name it.
MIN_CHARS = 20
#: The language is read off the first characters only: they tell it as well for news
#: prose, and detection costs time in proportion to the length.
SAMPLE_CHARS = 200


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot be told."""
    if len(text) < MIN_CHARS:
        return None
    import py3langid  # imported here: loading its model costs half a second

    code, _score = py3langid.classify(text[:SAMPLE_CHARS])
    return None if code == "zxx" else code  # zxx: "no linguistic content"


def load_model() -> None:
    """Load the language model now. Called before worker processes are forked, so that
    they share the parent's copy of its 70 MB instead of each loading its own."""
    detect_language("a few words to load the model with")
