"""Across pages: fingerprints, clusters of repeated paragraphs, and articles merged over their copies."""
