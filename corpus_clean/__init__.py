"""corpus-clean: scraped pages in, a clean, deduplicated corpus of dated articles out.

from corpus_clean import clean, Config

for article in clean("seeds/", Config(threshold=0.8)):
    print(article.date, article.title)
"""

__version__ = "0.1.0"  # first, so that modules below may import it

from .config import Config
from .pipeline import clean
from .read import InputError
from .records import Article
from .report import Report

__all__ = ["Article", "Config", "InputError", "Report", "clean", "__version__"]
