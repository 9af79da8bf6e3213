"""Where and in what order the stages run: the plan of a run, the local and Dask engines, worker processes, the incremental index."""
