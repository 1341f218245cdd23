"""Synthetic respondents: the answering models behind calibration, coverage and the benchmarks.

These models are part of the product, not of its tests: the false-alarm, power and coverage
tables of docs/statistics.md (sections 12 and 13) and the benchmark requests of
docs/benchmarks.md are drawn from them, so they must be reproducible from the installed package
alone (``benchmarks/calibration.py``, ``benchmarks/coverage.py``, ``benchmarks/run.py``), with the
same seeds giving the same figures. The test suite asserts on the same models.

- ``realistic``: the realistic generator (ordinal probit with response styles, skewed scales,
  sparse allocations, role differences, planted effects) and its named families N1-N6, ERS,
  STRAIGHT; ``AnswerSheet`` objects for the engine.
- ``iid``: the simple test model (i.i.d. items, flat allocations) as raw request objects, the
  shape ``POST /api/v1/score`` takes: the benchmarks' typical request.
- ``coverage``: the coverage cells, with each statistic's true value computed from the models.

Pure computation: numpy, scipy and the scoring engine; nothing here touches HTTP, forms or the
store.
"""
