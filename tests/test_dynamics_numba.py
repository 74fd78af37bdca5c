"""The numba backend against the numpy reference (agreement to 1e-12), and its code generation."""

import numpy as np
import pytest
import sympy as sp

import jacobian_lab as jl
from jacobian_lab.dynamics.codegen import field_parts, module_source, trace_update
from jacobian_lab.schemes import make_scheme

pytest.importorskip("numba")

STARTS = np.random.default_rng(7).uniform(-2, 2, (300, 2))


def both(model, reg, gamma, scheme, x0, **kwargs):
    runs = [jl.simulate(model, reg, gamma, scheme, x0=x0, backend=b, progress=False, **kwargs)
            for b in ("numpy", "numba")]
    return runs


def assert_same(a, b):
    np.testing.assert_allclose(b.final, a.final, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.states, a.states, rtol=1e-12, atol=1e-12)  # NaN where diverged, in both
    np.testing.assert_array_equal(b.diverged_at, a.diverged_at)
    np.testing.assert_array_equal(b.converged_at, a.converged_at)
    np.testing.assert_allclose(b.rate, a.rate, rtol=1e-9)


@pytest.mark.parametrize("scheme,params", [
    ("simgd", {"lr_g": 0.2, "lr_d": 0.3}), ("altgd", {"lr": 0.2, "n_d": 5}), ("altgd", {"lr": 0.2, "order": "dg"}),
    ("extragradient", {"lr": 0.3}), ("optimistic", {"lr": 0.2}),
    ("momentum", {"lr": 0.1, "beta": -0.3, "alternating": True}), ("flow", {"lr": 0.1}),
])
def test_every_scheme_matches_numpy(scheme, params):
    a, b = both("dirac", "jare", 0.5, scheme, STARTS, steps=300, record_every=30, tol=1e-4, **params)
    assert_same(a, b)


def test_divergence_matches_numpy():
    a, b = both("dirac", None, None, "simgd", STARTS, steps=60, lr=0.5, loss="wgan", record_every=10, bound=1e3)
    assert a.diverged.any() and not a.diverged.all()
    assert_same(a, b)


def test_gaussian_smoothing_kernels_match_numpy():
    x0 = np.array([[0.3, 2.4, -0.8, 0.6], [-0.2, 1.5, 1.1, -0.9]])
    a, b = both("gaussian", "instance-noise", 1.5, "simgd", x0, steps=100, lr=0.05, record_every=10)
    assert_same(a, b)


def test_auto_picks_numpy_for_noise_and_cgd():
    tr = jl.simulate("dirac", "r1", 0.3, "cgd", steps=2000, x0=STARTS, lr=0.2)
    assert tr.info["backend"] == "numpy"
    with pytest.raises(jl.JacobianLabError, match="backend='numpy'"):
        jl.simulate("dirac", "r1", 0.3, "simgd", lr=0.2, noise=0.1, backend="numba")


def test_generated_kernel_is_one_loop_over_trajectories():
    source = module_source(jl.regularized_game("gaussian", "instance-noise", 0.5), make_scheme("simgd", 2, 4, lr=0.1))
    assert "def _smoothed_0_1(mu, s2):" in source and "for i in range(n):" in source
    assert "math.exp" not in source  # every exponential is the vectorisable vexp


def test_trace_keeps_continuous_parameters_and_fixes_control_flow():
    rg = jl.regularized_game("dirac", "r1", 0.5)
    momentum = make_scheme("momentum", 1, 2, beta=0.3, alternating=True)
    lines, states, fixed = trace_update(momentum, field_parts(rg))
    beta = momentum.numeric_keys().index(("beta", 1))  # the discriminator's beta, at run time
    assert fixed == {} and any(e.has(sp.Symbol(f"_q{beta}", real=True)) for e in states[0])
    assert len(states) == 2  # x and x_prev
    lines, states, fixed = trace_update(make_scheme("altgd", 1, 2, n_d=5), field_parts(rg))
    assert fixed == {} and sum(str(sym).endswith("v1") for sym, _ in lines) == 6  # n_d = 5 fixed in the code


def test_one_kernel_serves_every_strength():
    from jacobian_lab.dynamics.numba_backend import load_kernels

    scheme = make_scheme("simgd", 1, 2, lr=0.1)
    (a, ka), (b, kb) = (load_kernels(jl.regularized_game("dirac", "r1", g), scheme) for g in (0.5, 2.0))
    assert a is b and ka.tolist() == [0.5] and kb.tolist() == [2.0]


def test_vectorisable_exp_and_sigmoid_match_numpy():
    from numba import njit
    from scipy.special import expit

    from jacobian_lab.dynamics.vecmath import vexp, vsigmoid

    @njit(error_model="numpy")
    def apply(x, e, s):
        for i in range(x.size):
            e[i], s[i] = vexp(x[i]), vsigmoid(x[i])

    x = np.r_[np.random.default_rng(0).uniform(-745, 709.7, 200_000), np.linspace(-40, 40, 20_001),
              [np.nan, np.inf, -np.inf, 0.0, -0.0, 709.78, 710.0, -745.2, -800.0, 1e-300]]
    e, s = np.empty_like(x), np.empty_like(x)
    apply(x, e, s)
    with np.errstate(over="ignore", invalid="ignore"):
        ref, error = np.exp(x), np.abs(e - np.exp(x))
    normal = np.isfinite(ref) & (ref >= np.finfo(float).tiny)
    assert np.max(error[normal] / np.spacing(ref[normal])) <= 1  # within one unit in the last place
    tiny = (ref < np.finfo(float).tiny) & ~np.isnan(x)  # subnormal results: within two of the smallest step
    assert np.all(error[tiny] <= 1e-323)
    assert np.isnan(e[-10]) and e[-9] == np.inf and e[-8] == 0 and np.isnan(s[-10])
    big = expit(x) > 1e-300
    np.testing.assert_allclose(s[big], expit(x[big]), rtol=2e-15)
