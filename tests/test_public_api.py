"""Nothing public breaks: every name of ``qsearch.__all__`` before the re-layout (0.1.0) is
still importable from ``qsearch`` and accepts every call it accepted then.

``OLD_SIGNATURES`` was recorded from qsearch 0.1.0 (commit a7946be) with ``inspect.signature``:
per parameter (name, kind, default repr). A parameter may become positional-or-keyword where it
was keyword-only, and new parameters must have defaults; nothing else may change.
"""

from __future__ import annotations

import inspect

import pytest

import qsearch

OLD_SIGNATURES: dict[str, list[tuple[str, str, str]] | None] = {
    "Attempt": [
        ("iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("shots", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("counts", "POSITIONAL_OR_KEYWORD", "<required>"),
    ],
    "Backend": [("args", "VAR_POSITIONAL", "<required>"), ("kwargs", "VAR_KEYWORD", "<required>")],
    "BackendError": None,
    "BackendUnavailableError": None,
    "BucketIndex": [
        ("n_buckets", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("method", "KEYWORD_ONLY", "'kmeans'"),
        ("metric", "KEYWORD_ONLY", "'cosine'"),
        ("max_bucket_qubits", "KEYWORD_ONLY", "10"),
        ("n_bits", "KEYWORD_ONLY", "64"),
        ("n_iter", "KEYWORD_ONLY", "15"),
        ("seed", "KEYWORD_ONLY", "None"),
    ],
    "BucketProblem": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("bucket", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("rank", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("ids", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("scores", "POSITIONAL_OR_KEYWORD", "<required>"),
    ],
    "CountResult": [
        ("method", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("estimate", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("confidence_interval", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("num_items", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("queries", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("epsilon", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("alpha", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("seed", "POSITIONAL_OR_KEYWORD", "None"),
        ("metadata", "POSITIONAL_OR_KEYWORD", "<factory>"),
    ],
    "Hits": [
        ("ids", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("scores", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("texts", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("queries", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("centroid_comparisons", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("buckets", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'ideal'"),
        ("algorithm", "POSITIONAL_OR_KEYWORD", "'grover'"),
        ("score_name", "POSITIONAL_OR_KEYWORD", "'cosine'"),
        ("complete", "POSITIONAL_OR_KEYWORD", "True"),
    ],
    "NoisyOptimum": [
        ("backend", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("ideal_iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("ideal_success", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("success", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("success_by_iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("ideal_by_iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("shots", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("seed", "POSITIONAL_OR_KEYWORD", "None"),
        ("metadata", "POSITIONAL_OR_KEYWORD", "<factory>"),
    ],
    "ProblemError": None,
    "QSearchError": None,
    "QSearchWarning": None,
    "QueryCount": [
        ("oracle", "POSITIONAL_OR_KEYWORD", "0"),
        ("verify", "POSITIONAL_OR_KEYWORD", "0"),
        ("build", "POSITIONAL_OR_KEYWORD", "0"),
    ],
    "SearchProblem": [
        ("num_items", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("marked", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("prior", "KEYWORD_ONLY", "None"),
        ("build_cost", "KEYWORD_ONLY", "0"),
    ],
    "SearchProgram": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("phases", "POSITIONAL_OR_KEYWORD", "None"),
    ],
    "SearchResult": [
        ("method", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("found", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("queries", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("attempts", "POSITIONAL_OR_KEYWORD", "()"),
        ("seed", "POSITIONAL_OR_KEYWORD", "None"),
        ("metadata", "POSITIONAL_OR_KEYWORD", "<factory>"),
    ],
    "UnsupportedProgramError": None,
    "__version__": None,
    "alignment": None,
    "assert_backend_conforms": [
        ("backend", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("seed", "KEYWORD_ONLY", "1234"),
        ("shots", "KEYWORD_ONLY", "2000"),
        ("noiseless", "KEYWORD_ONLY", "True"),
    ],
    "available_backends": [],
    "classical_search": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("strategy", "POSITIONAL_OR_KEYWORD", "'random'"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("max_queries", "KEYWORD_ONLY", "None"),
    ],
    "count_marked": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("method", "KEYWORD_ONLY", "'iqae'"),
        ("epsilon", "KEYWORD_ONLY", "<required>"),
        ("alpha", "KEYWORD_ONLY", "0.05"),
        ("backend", "KEYWORD_ONLY", "'ideal'"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("shots", "KEYWORD_ONLY", "None"),
    ],
    "datasets": None,
    "embed": [
        ("texts", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("model", "POSITIONAL_OR_KEYWORD", "None"),
        ("batch_size", "KEYWORD_ONLY", "64"),
        ("normalize", "KEYWORD_ONLY", "True"),
        ("device", "KEYWORD_ONLY", "'cpu'"),
    ],
    "evaluate_retrieval": [
        ("dataset", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("k", "KEYWORD_ONLY", "10"),
        ("n_buckets", "KEYWORD_ONLY", "None"),
        ("n_probe", "KEYWORD_ONLY", "4"),
        ("n_queries", "KEYWORD_ONLY", "50"),
        ("backend", "KEYWORD_ONLY", "'ideal'"),
        ("algorithm", "KEYWORD_ONLY", "'grover'"),
        ("include_lsh", "KEYWORD_ONLY", "True"),
        ("include_ann", "KEYWORD_ONLY", "True"),
        ("scaling_buckets", "KEYWORD_ONLY", "(2, 8, 32, 128)"),
        ("seed", "KEYWORD_ONLY", "0"),
    ],
    "exact_knn": [
        ("vectors", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("queries", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("k", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("metric", "KEYWORD_ONLY", "'cosine'"),
    ],
    "expected_classical_queries": [
        ("num_items", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("num_marked", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("replace", "KEYWORD_ONLY", "<required>"),
    ],
    "exponential_search": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'ideal'"),
        ("lam", "KEYWORD_ONLY", "1.2"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("max_queries", "KEYWORD_ONLY", "None"),
    ],
    "find_minimum": [
        ("values", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'ideal'"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("lam", "KEYWORD_ONLY", "1.2"),
        ("max_queries", "KEYWORD_ONLY", "None"),
        ("coherent_oracle", "KEYWORD_ONLY", "False"),
    ],
    "fit_power_law": [
        ("samples", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("confidence", "KEYWORD_ONLY", "0.95"),
        ("n_bootstrap", "KEYWORD_ONLY", "1000"),
        ("seed", "KEYWORD_ONLY", "0"),
    ],
    "fixed_point_search": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("delta", "KEYWORD_ONLY", "<required>"),
        ("backend", "KEYWORD_ONLY", "'ideal'"),
        ("lower_bound", "KEYWORD_ONLY", "None"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("shots", "KEYWORD_ONLY", "1"),
        ("max_attempts", "KEYWORD_ONLY", "1"),
    ],
    "fixed_point_vs_grover_curves": [
        ("delta", "KEYWORD_ONLY", "0.1"),
        ("lower_bound", "KEYWORD_ONLY", "0.01"),
        ("masses", "KEYWORD_ONLY", "None"),
        ("num_points", "KEYWORD_ONLY", "400"),
    ],
    "get_backend": [
        ("name", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("options", "VAR_KEYWORD", "<required>"),
    ],
    "grover_search": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'ideal'"),
        ("iterations", "KEYWORD_ONLY", "None"),
        ("shots", "KEYWORD_ONLY", "1"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("max_attempts", "KEYWORD_ONLY", "20"),
    ],
    "noisy_optimum": [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'aer'"),
        ("iterations", "KEYWORD_ONLY", "None"),
        ("shots", "KEYWORD_ONLY", "1000"),
        ("seed", "KEYWORD_ONLY", "None"),
    ],
    "optimal_iterations": [
        ("num_items", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("num_marked", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("marked_mass", "KEYWORD_ONLY", "None"),
    ],
    "register_backend": [
        ("name", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("target", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("extra", "KEYWORD_ONLY", "None"),
        ("description", "KEYWORD_ONLY", "''"),
    ],
    "resources": [
        ("program", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("device", "POSITIONAL_OR_KEYWORD", "None"),
        ("decomposition", "KEYWORD_ONLY", "'auto'"),
        ("optimization_level", "KEYWORD_ONLY", "2"),
        ("seed_transpiler", "KEYWORD_ONLY", "1234"),
    ],
    "retrieve": [
        ("index", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("query", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("k", "KEYWORD_ONLY", "None"),
        ("threshold", "KEYWORD_ONLY", "None"),
        ("n_probe", "KEYWORD_ONLY", "1"),
        ("backend", "KEYWORD_ONLY", "'ideal'"),
        ("algorithm", "KEYWORD_ONLY", "'auto'"),
        ("seed", "KEYWORD_ONLY", "None"),
    ],
    "success_probability": [
        ("num_items", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("num_marked", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("iterations", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("marked_mass", "KEYWORD_ONLY", "None"),
    ],
    "sweep": [
        ("spec", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("executor", "POSITIONAL_OR_KEYWORD", "None"),
        ("workers", "KEYWORD_ONLY", "None"),
        ("threads", "KEYWORD_ONLY", "None"),
        ("chunk_size", "KEYWORD_ONLY", "None"),
        ("progress", "KEYWORD_ONLY", "None"),
        ("callback", "KEYWORD_ONLY", "None"),
    ],
    "top_k": [
        ("values", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("k", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'ideal'"),
        ("seed", "KEYWORD_ONLY", "None"),
        ("lam", "KEYWORD_ONLY", "1.2"),
        ("max_queries", "KEYWORD_ONLY", "None"),
        ("coherent_oracle", "KEYWORD_ONLY", "False"),
    ],
}


def _compatible(name: str, old: list[tuple[str, str, str]], new: inspect.Signature) -> list[str]:
    problems = []
    params = list(new.parameters.values())
    by_name = {p.name: p for p in params}
    for position, (pname, kind, default) in enumerate(old):
        if kind.startswith("VAR_"):
            if not any(p.kind.name == kind for p in params):
                problems.append(f"{name}: lost *{pname}")
            continue
        param = by_name.get(pname)
        if param is None:
            problems.append(f"{name}: lost parameter {pname!r}")
            continue
        new_default = (
            "<required>" if param.default is inspect.Parameter.empty else repr(param.default)
        )
        if new_default != default:
            problems.append(f"{name}: default of {pname!r} changed {default} -> {new_default}")
        if kind == "POSITIONAL_OR_KEYWORD" and (
            param.kind.name != kind or params.index(param) != position
        ):
            problems.append(f"{name}: {pname!r} is no longer positional at {position}")
        if kind == "KEYWORD_ONLY" and param.kind.name not in (kind, "POSITIONAL_OR_KEYWORD"):
            problems.append(f"{name}: {pname!r} can no longer be passed by keyword")
    old_names = {pname for pname, _, _ in old}
    for param in params:
        required = param.default is inspect.Parameter.empty
        if param.name not in old_names and required and not param.kind.name.startswith("VAR_"):
            problems.append(f"{name}: new required parameter {param.name!r}")
    return problems


def test_all_lists_every_old_name() -> None:
    assert set(OLD_SIGNATURES) <= set(qsearch.__all__)


@pytest.mark.parametrize("name", sorted(OLD_SIGNATURES))
def test_old_public_name_keeps_its_calls(name: str) -> None:
    obj = getattr(qsearch, name)
    old = OLD_SIGNATURES[name]
    if old is None:
        return
    assert not _compatible(name, old, inspect.signature(obj))


def test_the_compatibility_check_can_fail() -> None:
    def before(problem, backend="ideal", *, seed=None): ...  # type: ignore[no-untyped-def]

    def moved(problem, *, backend="ideal", seed=None): ...  # type: ignore[no-untyped-def]

    old = [
        ("problem", "POSITIONAL_OR_KEYWORD", "<required>"),
        ("backend", "POSITIONAL_OR_KEYWORD", "'ideal'"),
        ("seed", "KEYWORD_ONLY", "None"),
    ]
    assert not _compatible("before", old, inspect.signature(before))
    assert _compatible("moved", old, inspect.signature(moved))
