"""Use cases: every change of the service's state, one function each.

A use case checks who may do it (``access``), makes the change in one unit of work (``uow``)
and appends its audit row in the same transaction, then returns what the caller shows (shaped by
``views``). Routes, pages and CLI commands parse their input, call one of these (or a query)
and render the result; they never write themselves (an import-linter contract keeps them from
importing the database layer, and ``tests/service/test_audited.py`` checks every writing route).
Modules follow the aggregates: registry, tokens, drafts, rechecks, lexicon, assets, audit.
"""
