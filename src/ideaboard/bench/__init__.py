"""`make bench`: a generated company, the production server, wrk, and baselines in one run."""
