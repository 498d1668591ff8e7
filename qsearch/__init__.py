"""qsearch: quantum versus classical search, measured honestly on the same bill.

The public API is listed in ``__all__``; backends load lazily through :func:`get_backend`.
``qsearch.datasets`` is the built-in data (``names``, ``load``, ``load_vectors``).
``qsearch.embed``, ``qsearch.resources`` and ``qsearch.sweep`` are the functions of the
like-named modules (import from ``qsearch.resources`` etc. for the rest of a module).
"""

from qsearch import alignment
from qsearch.algorithms.counting import CountResult, count_marked
from qsearch.algorithms.exponential import exponential_search
from qsearch.algorithms.fixed_point import fixed_point_search, fixed_point_vs_grover_curves
from qsearch.algorithms.grover import grover_search
from qsearch.algorithms.minimum import find_minimum, top_k
from qsearch.backends.base import Backend, available_backends, get_backend, register_backend
from qsearch.buckets import BucketIndex, BucketProblem
from qsearch.classical import classical_search
from qsearch.complexity import (
    expected_classical_queries,
    fit_power_law,
    success_probability,
)
from qsearch.data import datasets
from qsearch.embed import embed
from qsearch.evaluation import evaluate_retrieval
from qsearch.exceptions import (
    BackendError,
    BackendUnavailableError,
    ProblemError,
    QSearchError,
    QSearchWarning,
    UnsupportedProgramError,
)
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.resources import NoisyOptimum, noisy_optimum, resources
from qsearch.results import Attempt, QueryCount, SearchResult
from qsearch.retrieval import Hits, exact_knn, retrieve
from qsearch.schedules import optimal_iterations
from qsearch.sweeps import sweep
from qsearch.testing import assert_backend_conforms

__version__ = "0.1.0"

__all__ = [
    "Attempt",
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "BucketIndex",
    "BucketProblem",
    "CountResult",
    "Hits",
    "NoisyOptimum",
    "ProblemError",
    "QSearchError",
    "QSearchWarning",
    "QueryCount",
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
    "datasets",
    "embed",
    "evaluate_retrieval",
    "exact_knn",
    "expected_classical_queries",
    "exponential_search",
    "find_minimum",
    "fit_power_law",
    "fixed_point_search",
    "fixed_point_vs_grover_curves",
    "get_backend",
    "grover_search",
    "noisy_optimum",
    "optimal_iterations",
    "register_backend",
    "resources",
    "retrieve",
    "success_probability",
    "sweep",
    "top_k",
]
