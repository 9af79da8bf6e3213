"""corpus-clean: scraped pages in, a clean, deduplicated corpus of dated articles out.

from corpus_clean import clean, Config

for article in clean("seeds/", Config(threshold=0.8)):
    print(article.date, article.title)
"""

from ._version import __version__
from .audit.report import Report
from .config import Config
from .engine.local import clean
from .io.read import InputError
from .records import Article

__all__ = ["Article", "Config", "InputError", "Report", "clean", "__version__"]
