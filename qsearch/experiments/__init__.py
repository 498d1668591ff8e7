"""Experiments: the registry of named experiments, sweeps (spec, store, runner), the ``compare``
preset, tidy tables and fitted slopes (``analysis``), figures (``plots``) and the reference
circuits of ``circuits/``. This room sits above retrieval and backends and below the CLI."""
