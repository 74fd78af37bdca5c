"""The network factor definitions (spectra/robust.py), honest verdicts and the game blocks, against
brute force and closed forms; the paper factors of the toy games unchanged beside them."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_lab as jl
from jacobian_lab.spectra import robust, steps
from jacobian_lab.spectra.blocks import game_blocks
from jacobian_lab.spectra.uncertainty import error_bar


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5), st.integers(1, 4)), min_size=1, max_size=12), st.floats(0.01, 1.0))
def test_weighted_quantile_is_the_quantile_of_the_repeated_sample(pairs, q):
    values = np.array([v for v, _ in pairs])
    weights = np.array([w for _, w in pairs], dtype=float)
    repeated = np.sort(np.repeat(values, weights.astype(int)))
    # brute force: the smallest v with at least a fraction q of the copies at or below it
    expected = repeated[max(math.ceil(q * repeated.size - 1e-9), 1) - 1]
    assert robust.weighted_quantile(values, weights, q) == expected


def test_dominant_count_and_factors_closed_form():
    assert [robust.dominant_count([1, 4, 2, 3], c) for c in (0.5, 0.9, 0.99)] == [2, 3, 4]
    lam = np.array([-4.0, -1 + 3j, -1 - 3j, -0.5])  # magnitudes 4, sqrt(10), sqrt(10), 0.5
    f = robust.network_factors(lam, complete=True, size=4)
    assert f.n_dominant == (2, 3, 4) and f.n_null == 0
    assert f.conditioning == pytest.approx((4 / np.sqrt(10), 4 / np.sqrt(10), 8.0))
    assert f.phase_angle[0] == pytest.approx(np.degrees(np.arctan(3)))  # half the mass is the pair at tan = 3
    assert f.phase_factor == pytest.approx(3.0)  # the paper's |Im|/|Re| of that pair
    assert f.rate == steps.optimal_step(lam[:3])
    assert f.abscissa == -1.0
    assert f.rotational_share == pytest.approx(2 * np.sqrt(10) / (4 + 2 * np.sqrt(10) + 0.5))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_tiny=st.integers(1, 400), scale=st.floats(1e-12, 1e-6))
def test_network_factors_ignore_a_null_continuum_that_sets_the_paper_factors(seed, n_tiny, scale):
    """Appending many tiny eigenvalues (any angle, either sign of Re) leaves the network factors alone,
    while the paper's conditioning factor reads back their size."""
    rng = np.random.default_rng(seed)
    dominant = np.r_[-rng.uniform(1, 10, 6), -rng.uniform(0.5, 2, 3) + 1j * rng.uniform(0.5, 4, 3)]
    dominant = np.r_[dominant, np.conj(dominant[6:])]
    tiny = scale * rng.uniform(0.1, 1, n_tiny) * np.exp(1j * rng.uniform(0, 2 * np.pi, n_tiny))
    before = robust.network_factors(dominant, complete=True, size=dominant.size)
    after = robust.network_factors(np.r_[dominant, tiny], complete=True, size=dominant.size + n_tiny)
    mass = {"n_null": None, "rotational_share": None}  # counted, and mass-weighted: compared below
    assert after.summary() | mass == before.summary() | mass
    assert after.rate == before.rate
    # the tiny eigenvalues carry at most n_tiny * scale <= 4e-4 of a mass above 6
    assert after.rotational_share == pytest.approx(before.rotational_share, abs=1e-4)
    paper = jl.Spectrum(np.r_[dominant, tiny], rtol=1e-14)
    assert paper.paper_condition_factor > 1e4 * before.condition_factor


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), s=st.floats(1e-3, 1e3))
def test_network_factors_are_scale_invariant(seed, s):
    rng = np.random.default_rng(seed)
    lam = -rng.uniform(0.1, 3, 20) + 1j * rng.normal(0, 1, 20)
    lam = np.r_[lam, np.conj(lam)]
    a = robust.network_factors(lam, complete=True, size=lam.size)
    b = robust.network_factors(s * lam, complete=True, size=lam.size)
    assert b.conditioning == pytest.approx(a.conditioning) and b.phase_angle == pytest.approx(a.phase_angle)
    assert b.rate.rate == pytest.approx(a.rate.rate, abs=1e-9) and b.rate.step == pytest.approx(a.rate.step / s)


def test_null_threshold_from_precision_and_norm():
    jac = np.diag([-3.0, -1.0, 1e-15, 0.0])
    s = jl.Spectrum(np.linalg.eigvals(jac), jac, factors="network")
    tau = np.finfo(float).eps * 2 * np.linalg.norm(jac)
    assert s.network.null_threshold == pytest.approx(tau) and s.network.n_null == 2
    s32 = jl.Spectrum(np.linalg.eigvals(jac), jac, factors="network", eps=float(np.finfo(np.float32).eps))
    assert s32.network.null_threshold == pytest.approx(tau * 2.0**29)


def test_toy_spectra_keep_the_paper_definitions():
    s = jl.spectrum("gaussian", reg="consensus", gamma=1.0, exact=False)
    assert s.factors == "paper" and s.phase_factor == s.paper_phase_factor
    assert s.condition_factor == s.paper_condition_factor and s.is_stable is True
    assert s.to_dict()["factors"] == "paper" and "network_factors" not in s.to_dict()
    # the network definitions are available on a toy spectrum too, labelled
    assert s.network.complete and s.network.m == 4


def test_top_k_by_magnitude_gives_no_verdict_and_no_step():
    lam = np.array([-5.0, -2 + 1j, -2 - 1j])
    s = jl.Spectrum(lam, partial=True, which="LM", factors="network", info={"n_params": 50})
    assert s.stability is None and s.is_stable is None
    assert s.max_stable_step() is None and s.optimal_step() is None
    out = s.to_dict()
    assert out["stability"] is None and out["stable"] is None and out["optimal_step"] is None
    assert out["max_stable_step"] is None and "rightmost" in out["verdict"]
    f = s.network
    assert f.n_null is None and f.rate is None and f.conditioning == (5 / np.sqrt(5),) and f.dominant == 3


def test_top_k_by_real_part_gives_a_verdict_and_no_factors():
    s = jl.Spectrum(np.array([0.3, -1.0]), partial=True, which="LR", factors="network", info={"n_params": 50})
    assert s.stability == "unstable" and s.optimal_step() is None
    assert math.isnan(s.phase_factor) and s.network.conditioning is None
    assert jl.Spectrum(np.array([-0.3, -1.0]), partial=True, which="LR").is_stable is True


def test_a_point_that_is_not_a_fixed_point_says_so():
    jac = np.array([[-1.0, 2.0], [-2.0, -1.0]])
    lam = np.linalg.eigvals(jac)
    away = jl.Spectrum(lam, jac, factors="network", field_norm=0.4, point=np.ones(2))
    assert away.fixed_point is False and away.stability is None
    assert "not a fixed point" in away.verdict.reason and "linearisation" in away.verdict.reason
    assert away.optimal_step() is not None  # the local rate is still reported
    at = jl.Spectrum(lam, jac, factors="network", field_norm=1e-12, point=np.ones(2))
    assert at.fixed_point is True and at.stability == "stable"


def test_game_blocks_against_their_definitions():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(3, 3)), rng.normal(size=(2, 2))
    c = rng.normal(size=(3, 2))
    jac = np.block([[-(a @ a.T), c], [-c.T, -(b + b.T)]])  # zero-sum: J_psi_theta = -J_theta_psi^T
    blocks = game_blocks(jac, 3)
    np.testing.assert_allclose(blocks.hessian_generator, np.sort(np.linalg.eigvalsh(a @ a.T)), atol=1e-12)
    np.testing.assert_allclose(blocks.hessian_discriminator, np.sort(np.linalg.eigvalsh(b + b.T)), atol=1e-12)
    np.testing.assert_allclose(blocks.interaction_theta_psi, blocks.interaction_psi_theta, atol=1e-12)
    np.testing.assert_allclose(blocks.interaction_theta_psi, np.linalg.svd(c, compute_uv=False), atol=1e-12)
    assert blocks.asymmetry == {"theta_theta": 0.0, "psi_psi": 0.0}
    s = jl.Spectrum(np.linalg.eigvals(jac), jac, info={"n_theta": 3})
    np.testing.assert_allclose(s.in_convention("loss").blocks().hessian_generator, blocks.hessian_generator)
    with pytest.raises(ValueError, match="n_theta"):
        jl.Spectrum(np.linalg.eigvals(jac), jac).blocks()


def test_error_bar_brackets_the_mean():
    bar = error_bar([1.0, 2.0, 4.0, 3.0, 5.0, np.nan])
    assert bar.n == 5 and bar.low < bar.mean == 3.0 < bar.high and 1.0 <= bar.low and bar.high <= 5.0
    assert error_bar([2.0]) == (2.0, 2.0, 2.0, 1) and bar == error_bar([1.0, 2.0, 4.0, 3.0, 5.0])
