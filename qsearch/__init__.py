"""qsearch: quantum versus classical search, measured honestly on the same bill.

The public API is listed in ``__all__``. Importing ``qsearch`` is cheap: every name loads its
module when first used (PEP 562), so ``import qsearch`` pulls in neither qiskit, pandas,
matplotlib nor scipy.stats. ``qsearch.datasets`` is the built-in data (``names``, ``load``,
``load_vectors``); ``qsearch.alignment`` the embedding-alignment module.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from qsearch._lazy import lazy_getattr

try:
    __version__ = version("qsearch")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0+unknown"

# public name -> "module:attribute" ("module" alone for a module)
_EXPORTS: dict[str, str] = {
    "Attempt": "qsearch.results:Attempt",
    "Backend": "qsearch.backends.base:Backend",
    "BackendError": "qsearch.exceptions:BackendError",
    "BackendUnavailableError": "qsearch.exceptions:BackendUnavailableError",
    "BucketIndex": "qsearch.retrieval.buckets:BucketIndex",
    "BucketProblem": "qsearch.retrieval.buckets:BucketProblem",
    "CountResult": "qsearch.algorithms.counting:CountResult",
    "HammingOracle": "qsearch.oracles.hamming:HammingOracle",
    "Hits": "qsearch.retrieval.retrieve:Hits",
    "NoisyOptimum": "qsearch.backends.resources:NoisyOptimum",
    "ProblemError": "qsearch.exceptions:ProblemError",
    "QSearchError": "qsearch.exceptions:QSearchError",
    "QSearchWarning": "qsearch.exceptions:QSearchWarning",
    "QueryCount": "qsearch.results:QueryCount",
    "SamplerBackend": "qsearch.backends.sampler:SamplerBackend",
    "SearchProblem": "qsearch.problem:SearchProblem",
    "SearchProgram": "qsearch.problem:SearchProgram",
    "SearchResult": "qsearch.results:SearchResult",
    "UnsupportedProgramError": "qsearch.exceptions:UnsupportedProgramError",
    "alignment": "qsearch.retrieval.alignment",
    "assert_backend_conforms": "qsearch.testing:assert_backend_conforms",
    "available_backends": "qsearch.backends.base:available_backends",
    "classical_search": "qsearch.classical:classical_search",
    "count_marked": "qsearch.algorithms.counting:count_marked",
    "crossover": "qsearch.oracles.crossover:crossover",
    "datasets": "qsearch.retrieval.data.datasets",
    "embed": "qsearch.retrieval.embed:embed",
    "estimate_physical": "qsearch.oracles.physical:estimate_physical",
    "evaluate_retrieval": "qsearch.retrieval.evaluation:evaluate_retrieval",
    "exact_knn": "qsearch.retrieval.retrieve:exact_knn",
    "expected_classical_queries": "qsearch.complexity:expected_classical_queries",
    "exponential_search": "qsearch.algorithms.exponential:exponential_search",
    "find_minimum": "qsearch.algorithms.minimum:find_minimum",
    "fit_power_law": "qsearch.complexity:fit_power_law",
    "fixed_point_search": "qsearch.algorithms.fixed_point:fixed_point_search",
    "fixed_point_vs_grover_curves": "qsearch.algorithms.fixed_point:fixed_point_vs_grover_curves",
    "from_amplification_problem": "qsearch.translate.amplification:from_amplification_problem",
    "get_backend": "qsearch.backends.base:get_backend",
    "grover_search": "qsearch.algorithms.grover:grover_search",
    "noisy_optimum": "qsearch.backends.resources:noisy_optimum",
    "oracles": "qsearch.oracles",
    "optimal_iterations": "qsearch.schedules:optimal_iterations",
    "recall_vs_n_probe": "qsearch.retrieval.probe_curve:recall_vs_n_probe",
    "register_backend": "qsearch.backends.base:register_backend",
    "resources": "qsearch.backends.resources:resources",
    "retrieve": "qsearch.retrieval.retrieve:retrieve",
    "success_probability": "qsearch.complexity:success_probability",
    "sweep": "qsearch.experiments.runner:sweep",
    "to_amplification_problem": "qsearch.translate.amplification:to_amplification_problem",
    "top_k": "qsearch.algorithms.minimum:top_k",
}

__all__ = [
    "Attempt",
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "BucketIndex",
    "BucketProblem",
    "CountResult",
    "HammingOracle",
    "Hits",
    "NoisyOptimum",
    "ProblemError",
    "QSearchError",
    "QSearchWarning",
    "QueryCount",
    "SamplerBackend",
    "SearchProblem",
    "SearchProgram",
    "SearchResult",
    "UnsupportedProgramError",
    "__version__",
    "alignment",
    "assert_backend_conforms",
    "available_backends",
    "classical_search",
    "count_marked",
    "crossover",
    "datasets",
    "embed",
    "estimate_physical",
    "evaluate_retrieval",
    "exact_knn",
    "expected_classical_queries",
    "exponential_search",
    "find_minimum",
    "fit_power_law",
    "fixed_point_search",
    "fixed_point_vs_grover_curves",
    "from_amplification_problem",
    "get_backend",
    "grover_search",
    "noisy_optimum",
    "optimal_iterations",
    "oracles",
    "recall_vs_n_probe",
    "register_backend",
    "resources",
    "retrieve",
    "success_probability",
    "sweep",
    "to_amplification_problem",
    "top_k",
]


__getattr__ = lazy_getattr("qsearch", _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # static analysers and IDEs see the eager imports
    from qsearch import oracles
    from qsearch.algorithms.counting import CountResult, count_marked
    from qsearch.algorithms.exponential import exponential_search
    from qsearch.algorithms.fixed_point import fixed_point_search, fixed_point_vs_grover_curves
    from qsearch.algorithms.grover import grover_search
    from qsearch.algorithms.minimum import find_minimum, top_k
    from qsearch.backends.base import Backend, available_backends, get_backend, register_backend
    from qsearch.backends.resources import NoisyOptimum, noisy_optimum, resources
    from qsearch.backends.sampler import SamplerBackend
    from qsearch.classical import classical_search
    from qsearch.complexity import expected_classical_queries, fit_power_law, success_probability
    from qsearch.exceptions import (
        BackendError,
        BackendUnavailableError,
        ProblemError,
        QSearchError,
        QSearchWarning,
        UnsupportedProgramError,
    )
    from qsearch.experiments.runner import sweep
    from qsearch.oracles.crossover import crossover
    from qsearch.oracles.hamming import HammingOracle
    from qsearch.oracles.physical import estimate_physical
    from qsearch.problem import SearchProblem, SearchProgram
    from qsearch.results import Attempt, QueryCount, SearchResult
    from qsearch.retrieval import alignment
    from qsearch.retrieval.buckets import BucketIndex, BucketProblem
    from qsearch.retrieval.data import datasets
    from qsearch.retrieval.embed import embed
    from qsearch.retrieval.evaluation import evaluate_retrieval
    from qsearch.retrieval.probe_curve import recall_vs_n_probe
    from qsearch.retrieval.retrieve import Hits, exact_knn, retrieve
    from qsearch.schedules import optimal_iterations
    from qsearch.testing import assert_backend_conforms
    from qsearch.translate.amplification import (
        from_amplification_problem,
        to_amplification_problem,
    )
