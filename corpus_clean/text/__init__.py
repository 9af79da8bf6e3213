"""One page's text: normalised lines, paragraphs, dates, language, and its cut into articles."""
