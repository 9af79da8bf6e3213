"""The command line: a thin typer layer over `corpus_clean.clean`."""
