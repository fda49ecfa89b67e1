"""Tooling around the warehouse, apart from what it runs: the benchmark (`tools.bench`, run as
`python -m ingest bench`) and the cross-engine parity check (`tools.parity`, used by the tests
that compare engines). Nothing in `ingest` imports these at run time.
"""
