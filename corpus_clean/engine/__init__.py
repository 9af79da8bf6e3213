"""Where and in what order the stages run: the pipeline, worker processes, Dask, the incremental index."""
