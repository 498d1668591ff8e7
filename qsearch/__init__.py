"""qsearch: quantum versus classical search, measured honestly on the same bill.

The public API is listed in ``__all__``; backends load lazily through :func:`get_backend`.
"""

from qsearch.algorithms.grover import grover_search
from qsearch.backends.base import Backend, available_backends, get_backend, register_backend
from qsearch.classical import classical_search
from qsearch.complexity import (
    expected_classical_queries,
    fit_power_law,
    success_probability,
)
from qsearch.exceptions import (
    BackendError,
    BackendUnavailableError,
    ProblemError,
    QSearchError,
    QSearchWarning,
    UnsupportedProgramError,
)
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.results import Attempt, QueryCount, SearchResult
from qsearch.schedules import optimal_iterations

__version__ = "0.1.0"

__all__ = [
    "Attempt",
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "ProblemError",
    "QSearchError",
    "QSearchWarning",
    "QueryCount",
    "SearchProblem",
    "SearchProgram",
    "SearchResult",
    "UnsupportedProgramError",
    "__version__",
    "available_backends",
    "classical_search",
    "expected_classical_queries",
    "fit_power_law",
    "get_backend",
    "grover_search",
    "optimal_iterations",
    "register_backend",
    "success_probability",
]
