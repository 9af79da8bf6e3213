"""Reading pages in and writing articles out: files, containers, HTML, atomic outputs."""
