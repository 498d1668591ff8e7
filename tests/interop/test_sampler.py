"""Qiskit BaseSamplerV2 primitives as qsearch backends (qsearch.backends.sampler)."""

from __future__ import annotations

import warnings

import pytest
from qiskit.primitives import BackendSamplerV2, StatevectorSampler
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import SamplerV2 as AerSampler

from qsearch import SearchProblem, SearchProgram, get_backend
from qsearch.backends.sampler import SamplerBackend
from qsearch.exceptions import ProblemError
from qsearch.testing import assert_backend_conforms, binomial_bound, conformance_properties


def _aer_sampler() -> AerSampler:
    return AerSampler(options={"backend_options": {"max_parallel_threads": 1}})


def _backend_sampler() -> BackendSamplerV2:
    """qiskit's generic sampler over a backend (here AerSimulator; no per-run reseeding)."""
    return BackendSamplerV2(backend=AerSimulator(max_parallel_threads=1, seed_simulator=3))


@pytest.mark.parametrize(
    "make",
    [StatevectorSampler, _aer_sampler, _backend_sampler],
    ids=["StatevectorSampler", "aer-SamplerV2", "BackendSamplerV2-aer"],
)
def test_noiseless_samplers_pass_the_conformance_suite(make):
    backend = get_backend(make())
    assert isinstance(backend, SamplerBackend)
    report = assert_backend_conforms(backend)
    assert list(report) == list(conformance_properties())
    # priors, phases and circuit execution included: only the exact-only abilities are skipped
    assert set(report.values()) == {
        "passed",
        "skipped: no ExactProbabilities ability",
        "skipped: no ClosedFormAmplification ability",
    }


def test_runtime_sampler_on_a_fake_device_gets_isa_circuits_seeds_and_item_order():
    runtime = pytest.importorskip("qiskit_ibm_runtime")
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    try:
        from qiskit_ibm_runtime.executor_sampler import Sampler
    except ImportError:  # runtime < 0.50
        Sampler = runtime.SamplerV2
    # N=8, item 6 = 110 (bit-reversed: 3), k=2: ideal success 0.945; Manila's noise keeps it on
    # top by a wide margin (the 4-qubit conformance programs drown in its noise).
    programs = [SearchProgram(SearchProblem(8, [6]), 2), SearchProgram(SearchProblem(4, [1]), 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sampler = Sampler(mode=FakeManilaV2())
        backend = get_backend(sampler)
        assert backend.reseeds
        first = backend.run(programs, shots=400, seed=3)
        assert first == backend.run(programs, shots=400, seed=3)
    for counts, item in zip(first, (6, 1), strict=True):
        assert sum(counts.values()) == 400 and all(isinstance(k, int) for k in counts)
        assert max(counts, key=counts.get) == item
        assert counts[item] > 200
    # ISA: only the device's gates reach the runtime (it rejects anything else)
    names = set(backend.circuit(programs[0]).count_ops()) - {"measure", "barrier"}
    assert names <= set(FakeManilaV2().target.operation_names)
    # reseeding happened on a copy: the user's sampler keeps its own options
    assert sampler.options.simulator.seed_simulator in (None, runtime.options.utils.Unset)


def test_get_backend_by_name_defaults_to_the_statevector_sampler_and_takes_options():
    backend = get_backend("sampler")
    assert isinstance(backend.sampler, StatevectorSampler)
    calls = []

    class Recorder:
        def run(self, circuit):
            calls.append(circuit.name)
            return circuit

    backend = get_backend(StatevectorSampler(), pass_manager=Recorder())
    backend.run([SearchProgram(SearchProblem(8, [3]), 1)], shots=10, seed=0)
    assert calls == ["search_k1"]


def test_counts_match_the_ideal_distribution_with_a_fixed_seed_and_no_seed():
    program = SearchProgram(SearchProblem(32, [7, 20]), 3)
    from qsearch.backends.ideal import IdealBackend

    probs = IdealBackend().probabilities([program])[0]
    shots = 4000
    for backend in (SamplerBackend(StatevectorSampler()), SamplerBackend(_aer_sampler())):
        counts = backend.run([program], shots=shots, seed=11)[0]
        assert counts == backend.run([program], shots=shots, seed=11)[0]
        assert counts != backend.run([program], shots=shots, seed=12)[0]
        for item in range(32):
            assert abs(counts.get(item, 0) - shots * probs[item]) <= binomial_bound(
                shots, probs[item]
            )


def test_seed_none_uses_the_users_own_sampler_seed():
    backend = SamplerBackend(StatevectorSampler(seed=5))
    program = SearchProgram(SearchProblem(16, [9]), 1)
    first = backend.run([program], shots=500)
    assert first == backend.run([program], shots=500)  # the user's int seed, unchanged


def test_aer_sampler_gets_lowered_circuits_without_custom_gates():
    backend = SamplerBackend(_aer_sampler())
    circuit = backend.circuit(SearchProgram(SearchProblem(11, [7], prior=None), 2))
    assert not {"uniform_superposition", "state_preparation"} & set(circuit.count_ops())


def test_bad_arguments_are_named():
    with pytest.raises(ProblemError, match="'sampler' argument of SamplerBackend"):
        SamplerBackend(object())
    with pytest.raises(ProblemError, match="'pass_manager' argument"):
        SamplerBackend(StatevectorSampler(), pass_manager=3)
    with pytest.raises(ProblemError, match="'translate' argument"):
        SamplerBackend(StatevectorSampler(), translate=3)
    with pytest.raises(ProblemError, match="one classical register"):
        SamplerBackend(StatevectorSampler(), translate=lambda p: 3).run(
            [SearchProgram(SearchProblem(4, [1]), 1)], shots=5
        )
