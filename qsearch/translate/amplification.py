"""qiskit-algorithms interop: ``AmplificationProblem`` ↔ :class:`~qsearch.problem.SearchProblem`.

Qiskit users describe amplitude amplification (Brassard, Høyer, Mosca, Tapp 2002,
arXiv:quant-ph/0005055) as an ``AmplificationProblem``: an oracle circuit S_f|x⟩ = (−1)^{f(x)}|x⟩
(often ``PhaseOracleGate`` / ``PhaseOracle`` from a boolean expression), a state preparation A
(Hadamards by default) and ``is_good_state`` (a callable on bitstrings, a list of bitstrings, a
list of qubit indices that must all be 1, or a ``Statevector``). qsearch needs the marked set
explicitly, so :func:`from_amplification_problem` derives it exactly by classical simulation:

* **From the oracle circuit** (n <= :data:`MAX_ORACLE_QUBITS`): the circuit is applied to two
  states with seeded random phases, Σ_x e^{iφ_x}|x⟩/√2^n. The first gives the candidate
  diagonal d_x = out_x / in_x; the second must satisfy out_x = d_x·in_x, which fails for any
  non-diagonal circuit (for all but a measure-zero set of phases). Every d_x must be ±1 (the
  circuit's global phase included): marked = {x : d_x = −1}. Cost: two state-vector simulations,
  O(gates · 2^n) time and 2^n complex amplitudes of memory.
* **From is_good_state**: called on the bitstring of every x (``format(x, "0nb")``, Qiskit's
  little-endian order, so bit j of x is qubit j, exactly what qiskit-algorithms' ``Grover``
  passes). When both exist they must agree, else :class:`~qsearch.exceptions.ProblemError`
  names the first item where they differ (this catches bit-order mistakes).
* **The prior** is |⟨x|A|0⟩|² from a state-vector simulation of A (only these magnitudes
  matter: amplitude amplification keeps each amplitude's ratio within the good and the bad
  subspace, so the measured distribution after any number of iterates depends only on them).
  Uniform gives ``prior=None``; zero-probability items at the top of the register are padding
  (N is the last item with probability > 0, plus one).

Above :data:`MAX_ORACLE_QUBITS` qubits the derivation is refused with a clear error (2^n
evaluations are the point of not simulating). The derived problem runs on every backend with
qsearch's own oracle for that marked set (the same diagonal, checked above). To run the user's own
oracle circuit instead, give :func:`oracle_translator` to
:class:`~qsearch.backends.sampler.SamplerBackend` (``translate=``).

The build cost of the derived problem is 0 by default: the oracle is given as a circuit
(computed coherently, the setting in which Grover's speed-up is real); simulating it here is the
simulator's bookkeeping, not part of the algorithm. Pass ``build_cost`` to bill it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from qiskit.circuit import Gate, QuantumCircuit
from qiskit.quantum_info import Statevector

from qsearch._validation import check_int
from qsearch.exceptions import ProblemError, UnsupportedProgramError
from qsearch.problem import SearchProblem, SearchProgram
from qsearch.translate.qiskit import phase_oracle, state_preparation

#: Largest register whose oracle and state preparation are simulated classically (2^20
#: amplitudes: 16 MiB per state vector, seconds per simulation).
MAX_ORACLE_QUBITS = 20
_ATOL = 1e-6
_OWNER = "from_amplification_problem"


def _bitstrings(n: int) -> list[str]:
    return [format(x, f"0{n}b") for x in range(2**n)]


def _check_size(n: int, what: str, max_qubits: int) -> None:
    if n > max_qubits:
        raise ProblemError(
            f"{_OWNER}: the {what} acts on {n} qubits; deriving the marked set classically is "
            f"limited to max_qubits={max_qubits} (2^n basis states are simulated). Build the "
            "SearchProblem from the marked items directly, or raise max_qubits."
        )


def marked_from_oracle(
    oracle: QuantumCircuit | Gate, *, max_qubits: int = MAX_ORACLE_QUBITS
) -> tuple[int, ...]:
    """The items a phase-oracle circuit flags: {x : U|x⟩ = −|x⟩}, by state-vector simulation.

    Raises:
        ProblemError: more than ``max_qubits`` qubits, measurements or resets in the circuit, a
            circuit that is not diagonal, or a phase other than ±1 on some basis state.
    """
    if isinstance(oracle, Gate):
        oracle = QuantumCircuit(oracle.num_qubits).compose(oracle)
    if not isinstance(oracle, QuantumCircuit):
        raise ProblemError(
            f"The 'oracle' argument of {_OWNER} must be a QuantumCircuit or Gate; got "
            f"{type(oracle).__name__}."
        )
    n = oracle.num_qubits
    _check_size(n, "oracle", max_qubits)
    if oracle.num_clbits or any(i.operation.name in ("measure", "reset") for i in oracle.data):
        raise ProblemError(
            f"The 'oracle' argument of {_OWNER} must be unitary (no measurements, resets or "
            f"classical bits); got a circuit with {oracle.num_clbits} classical bits."
        )
    rng = np.random.default_rng(0)  # fixed: the check is deterministic
    inputs = [np.exp(2j * np.pi * rng.random(2**n)) / math.sqrt(2**n) for _ in range(2)]
    outputs = [Statevector(psi).evolve(oracle).data for psi in inputs]
    diagonal = outputs[0] / inputs[0]
    off = np.abs(outputs[1] - diagonal * inputs[1]) * math.sqrt(2**n)
    if off.max() > _ATOL:
        x = int(np.argmax(off))
        raise ProblemError(
            f"The 'oracle' argument of {_OWNER} must be diagonal in the computational basis (a "
            f"phase oracle); it mixes basis state |{format(x, f'0{n}b')}⟩ with others. Bit-flip "
            "oracles need their target qubit in |−⟩ inside the circuit."
        )
    minus, plus = np.abs(diagonal + 1) < _ATOL, np.abs(diagonal - 1) < _ATOL
    if not np.all(minus | plus):
        x = int(np.flatnonzero(~(minus | plus))[0])
        d = complex(diagonal[x])
        raise ProblemError(
            f"The 'oracle' argument of {_OWNER} must multiply every basis state by +1 or −1; it "
            f"multiplies |{format(x, f'0{n}b')}⟩ by {d.real:.4f}{d.imag:+.4f}i (check the "
            "circuit's global_phase)."
        )
    return tuple(int(x) for x in np.flatnonzero(minus))


def marked_from_is_good_state(
    is_good_state: Any, num_qubits: int, *, max_qubits: int = MAX_ORACLE_QUBITS
) -> tuple[int, ...]:
    """The items x whose bitstring ``format(x, "0nb")`` qiskit-algorithms calls good.

    ``is_good_state`` as ``AmplificationProblem`` takes it: a callable on bitstrings, a list of
    bitstrings, a list of qubit indices (string positions, as qiskit-algorithms reads them) that
    must all be ``"1"``, or a ``Statevector`` (good = its nonzero-probability bitstrings).
    """
    n = check_int(num_qubits, "num_qubits", "marked_from_is_good_state", minimum=1)
    _check_size(n, "is_good_state", max_qubits)
    if isinstance(is_good_state, Statevector):
        good = set(is_good_state.probabilities_dict())
        test: Callable[[str], bool] = good.__contains__
    elif callable(is_good_state):
        test = is_good_state
    elif isinstance(is_good_state, (list, tuple)) and all(
        isinstance(b, str) for b in is_good_state
    ):
        good = set(is_good_state)
        test = good.__contains__
    elif isinstance(is_good_state, (list, tuple)) and all(
        isinstance(i, int) and not isinstance(i, bool) for i in is_good_state
    ):
        indices = list(is_good_state)
        test = lambda bits: all(bits[i] == "1" for i in indices)  # noqa: E731
    else:
        raise ProblemError(
            f"The 'is_good_state' argument of {_OWNER} must be a callable, a list of bitstrings, "
            f"a list of ints or a Statevector; got {is_good_state!r}."
        )
    return tuple(x for x, bits in enumerate(_bitstrings(n)) if test(bits))


def _prior(prep: QuantumCircuit | None, n: int, max_qubits: int) -> tuple[int, np.ndarray | None]:
    """(N, prior or None) from the state preparation's output probabilities."""
    if prep is None:
        return 2**n, None
    if not isinstance(prep, QuantumCircuit) or prep.num_qubits != n:
        raise ProblemError(
            f"The 'state_preparation' of the problem given to {_OWNER} must be a QuantumCircuit "
            f"on the oracle's {n} qubits; got {type(prep).__name__} on "
            f"{getattr(prep, 'num_qubits', '?')} qubits."
        )
    _check_size(n, "state_preparation", max_qubits)
    p = Statevector(prep).probabilities()
    p[p < 1e-12] = 0.0
    num_items = int(np.flatnonzero(p)[-1]) + 1 if p.any() else 2**n
    p = p[:num_items] / p[:num_items].sum()
    if np.allclose(p, 1.0 / num_items, rtol=0, atol=1e-9):
        return num_items, None
    return num_items, p


def from_amplification_problem(
    problem: Any, *, max_qubits: int = MAX_ORACLE_QUBITS, build_cost: int = 0
) -> SearchProblem:
    """The SearchProblem of a qiskit-algorithms ``AmplificationProblem`` (see the module doc).

    Args:
        problem: an ``AmplificationProblem`` (its ``oracle``, ``state_preparation``,
            ``is_good_state`` and ``objective_qubits`` are read; ``grover_operator`` and
            ``post_processing`` are not used).
        max_qubits: the largest register simulated classically.
        build_cost: predicate evaluations to bill as the oracle's construction (default 0: the
            oracle is given as a circuit).

    Raises:
        ProblemError: neither a usable oracle circuit nor ``is_good_state``; the two disagree;
            objective qubits other than all the oracle's qubits; too many qubits.
    """
    max_qubits = check_int(max_qubits, "max_qubits", _OWNER, minimum=1)
    oracle = getattr(problem, "oracle", None)
    if oracle is None or not hasattr(problem, "objective_qubits"):
        raise ProblemError(
            f"The 'problem' argument of {_OWNER} must be a qiskit_algorithms "
            f"AmplificationProblem; got {type(problem).__name__}."
        )
    n = oracle.num_qubits
    if list(problem.objective_qubits) != list(range(n)):
        raise ProblemError(
            f"{_OWNER} supports objective_qubits = all {n} oracle qubits (the search register); "
            f"got {problem.objective_qubits}. Oracles with work qubits must return them clean "
            "and be wrapped on the search register only."
        )
    is_good = getattr(problem, "_is_good_state", None)  # the raw form: list, Statevector, ...
    if is_good is None:
        is_good = problem.is_good_state
    from_circuit = None
    if isinstance(oracle, (QuantumCircuit, Gate)):
        from_circuit = marked_from_oracle(oracle, max_qubits=max_qubits)
    from_predicate = None
    if is_good is not None:
        from_predicate = marked_from_is_good_state(is_good, n, max_qubits=max_qubits)
    if from_circuit is None and from_predicate is None:
        raise ProblemError(
            f"{_OWNER} needs the oracle as a QuantumCircuit or an is_good_state; the problem "
            f"has an oracle of type {type(oracle).__name__} and no is_good_state."
        )
    if from_circuit is not None and from_predicate is not None and from_circuit != from_predicate:
        diff = sorted(set(from_circuit) ^ set(from_predicate))[0]
        bits = format(diff, f"0{n}b")
        raise ProblemError(
            f"{_OWNER}: the oracle circuit and is_good_state disagree on item {diff} (bitstring "
            f"{bits!r}): the oracle {'flags' if diff in from_circuit else 'does not flag'} it, "
            f"is_good_state says {diff in from_predicate}. (Qiskit bitstrings are little-endian: "
            "the rightmost character is qubit 0.)"
        )
    marked = from_circuit if from_circuit is not None else (from_predicate or ())
    # qiskit-algorithms keeps None for "Hadamards" in _state_preparation; else simulate A.
    prep = getattr(problem, "_state_preparation", getattr(problem, "state_preparation", None))
    num_items, prior = _prior(prep, n, max_qubits)
    if marked and marked[-1] >= num_items:
        num_items, prior = 2**n, Statevector(problem.state_preparation).probabilities()
    return SearchProblem(num_items, marked, prior=prior, build_cost=build_cost)


def to_amplification_problem(problem: SearchProblem) -> Any:
    """A qiskit-algorithms ``AmplificationProblem`` with qsearch's oracle and state preparation.

    The oracle is :func:`qsearch.translate.qiskit.phase_oracle` (−1 on the marked items), the
    state preparation :func:`qsearch.translate.qiskit.state_preparation` (uniform over the N
    items, or the prior) and ``is_good_state`` the marked items' bitstrings, so ``Grover`` from
    qiskit-algorithms can run it (needs ``pip install qiskit-algorithms``).
    """
    try:
        from qiskit_algorithms import AmplificationProblem
    except ImportError as exc:
        raise ImportError(
            "to_amplification_problem needs qiskit-algorithms: pip install qiskit-algorithms",
            name=exc.name,
        ) from exc
    if not isinstance(problem, SearchProblem):
        raise ProblemError(
            "The 'problem' argument of to_amplification_problem must be a SearchProblem; got "
            f"{type(problem).__name__}."
        )
    n = problem.num_qubits
    return AmplificationProblem(
        phase_oracle(problem),
        state_preparation=state_preparation(problem),
        is_good_state=[format(x, f"0{n}b") for x in problem.marked],
    )


def oracle_translator(problem: Any) -> Callable[[SearchProgram], QuantumCircuit]:
    """SearchProgram → circuit built from the user's own oracle and state preparation.

    For :class:`~qsearch.backends.sampler.SamplerBackend` (``translate=``): A, then per iterate
    the user's oracle and A S_0(β) A† (= −S_s(β) up to global phase), then measurement of every
    qubit (bit j = qubit j). Programs must be on the problem derived from ``problem`` and use
    α = π (the user's oracle applies −1 only); others raise UnsupportedProgramError.
    """
    derived = from_amplification_problem(problem)
    oracle = problem.oracle
    if isinstance(oracle, Gate):
        oracle = QuantumCircuit(oracle.num_qubits).compose(oracle)
    prep = problem.state_preparation
    unprep = prep.inverse()
    n = oracle.num_qubits

    def translate(program: SearchProgram) -> QuantumCircuit:
        if program.problem != derived:
            raise UnsupportedProgramError(
                f"This translator runs the user's oracle for {derived!r} only; got a program on "
                f"{program.problem!r}."
            )
        phases = program.phases or ((math.pi, math.pi),) * program.iterations
        circuit = QuantumCircuit(n, n, name=f"user_oracle_k{program.iterations}")
        circuit.compose(prep, inplace=True)
        for alpha, beta in phases:
            if not math.isclose(alpha % (2 * math.pi), math.pi):
                raise UnsupportedProgramError(
                    f"The user's oracle applies −1 only (α = π); got a program with α = {alpha}."
                )
            circuit.compose(oracle, inplace=True)
            circuit.compose(unprep, inplace=True)
            zeros = list(range(n))
            circuit.x(zeros)
            if n == 1:
                circuit.p(beta, 0)
            else:
                circuit.mcp(beta, list(range(n - 1)), n - 1)
            circuit.x(zeros)
            circuit.compose(prep, inplace=True)
        circuit.measure(range(n), range(n))
        return circuit

    return translate
