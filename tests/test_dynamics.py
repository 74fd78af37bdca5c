"""The dynamics engine against an independent plain-Python loop, the predicted rates, and its rules."""

import json
import math

import numpy as np
import pytest

import jacobian_lab as jl
from jacobian_lab.cli import main


def fp(x):  # f'(x) for f(t) = -log(1 + exp(-t)): sigmoid(-x)
    return 1 / (1 + math.exp(x))


def fp2(x):  # f''(x)
    return -fp(x) * (1 - fp(x))


def dirac_field(reg, gamma):
    """The Dirac-GAN fields of GAN_stability's notebooks/diracgan/gans.py, written out by hand."""

    def v(theta, psi):
        t = psi * theta
        v1, v2 = -psi * fp(t), theta * fp(t)
        if reg == "r1":
            v2 -= gamma * psi
        elif reg == "consensus":
            # the gradient of gamma/2 |v|^2; GAN_stability's GAN_Consensus halves the second term,
            # which is not that gradient (see test_notebook_consensus_is_not_the_gradient)
            v1 -= gamma * (theta * fp(t) ** 2 + psi * (psi**2 + theta**2) * fp(t) * fp2(t))
            v2 -= gamma * (psi * fp(t) ** 2 + theta * (psi**2 + theta**2) * fp(t) * fp2(t))
        elif reg == "jare":
            v1 -= gamma * (theta * fp(t) ** 2 + psi * theta**2 * fp(t) * fp2(t))
            v2 -= gamma * (psi * fp(t) ** 2 + theta * psi**2 * fp(t) * fp2(t))
        return v1, v2

    return v


def plain_loop(reg, gamma, scheme, h, n_d, steps=500, start=(1.0, 1.0)):
    v = dirac_field(reg, gamma)
    theta, psi = start
    for _ in range(steps):
        if scheme == "simgd":
            v1, v2 = v(theta, psi)
            theta, psi = theta + h * v1, psi + h * v2
        else:  # generator first, then n_d discriminator steps (GAN_stability's trajectory_altgd)
            theta += h * v(theta, psi)[0]
            for _ in range(n_d):
                psi += h * v(theta, psi)[1]
    return np.array([theta, psi])


@pytest.mark.parametrize("reg,gamma", [("none", None), ("r1", 0.3), ("consensus", 0.3), ("jare", 0.3)])
@pytest.mark.parametrize("scheme,n_d", [("simgd", 1), ("altgd", 1), ("altgd", 5)])
def test_gan_stability_notebook_settings(reg, gamma, scheme, n_d):
    expected = plain_loop(reg, gamma, scheme, 0.2, n_d)
    params = {"n_d": n_d} if scheme == "altgd" else {}
    tr = jl.simulate("dirac", reg=reg, gamma=gamma, scheme=scheme, lr=0.2, steps=500, x0=[1.0, 1.0],
                     backend="numpy", **params)
    np.testing.assert_allclose(tr.final[0], expected, rtol=1e-10, atol=1e-13)


def test_notebook_consensus_is_not_the_gradient():
    """GAN_stability's notebooks/diracgan/gans.py GAN_Consensus uses 0.5 * psi * (psi^2 + theta^2) f' f''."""
    theta, psi, eps = 0.7, -0.4, 1e-6
    half_norm = lambda a, b: 0.5 * (a**2 + b**2) * fp(a * b) ** 2  # noqa: E731
    exact = (half_norm(theta + eps, psi) - half_norm(theta - eps, psi)) / (2 * eps)
    t = psi * theta
    notebook = theta * fp(t) ** 2 + 0.5 * psi * (psi**2 + theta**2) * fp(t) * fp2(t)
    ours = -(jl.regularized_game("dirac", "consensus", 1.0).numeric_field(np.array([theta, psi]))[0] + psi * fp(t))
    assert ours == pytest.approx(exact, rel=1e-8) and abs(notebook - exact) > 1e-2


@pytest.mark.parametrize("scheme,params", [
    ("simgd", {"lr": 0.2}), ("altgd", {"lr": 0.2, "n_d": 5}), ("extragradient", {"lr": 0.3}),
    ("optimistic", {"lr": 0.2}), ("momentum", {"lr": 0.1, "beta": 0.3}), ("cgd", {"lr": 0.3}),
])
def test_empirical_rate_matches_the_spectral_radius(scheme, params):
    predicted = jl.spectrum("dirac", reg="r1", gamma=0.6, scheme=scheme, **params).spectral_radius
    tr = jl.simulate("dirac", reg="r1", gamma=0.6, scheme=scheme, steps=3000, x0=[1e-3, 1e-3], window=2000,
                     tol=1e-300, **params)
    # non-normal eigenvectors leave a bounded factor in the norm ratio: |error| <~ log(kappa) / window
    assert tr.rate[0] == pytest.approx(predicted, rel=2e-3) and tr.predicted_rate == pytest.approx(predicted, rel=1e-12)


def test_flow_rate_is_the_exponential_of_the_abscissa():
    s = jl.spectrum("gaussian", reg="jare", gamma=1.0)
    tr = jl.simulate("gaussian", reg="jare", gamma=1.0, scheme="flow", lr=0.05, steps=2000, x0=[0.01, 2.01, 0.01, 0.0],
                     tol=1e-300)
    assert tr.rate[0] == pytest.approx(math.exp(0.05 * s.abscissa), rel=1e-3)
    assert tr.predicted_rate == pytest.approx(math.exp(0.05 * s.abscissa), rel=1e-12)


def test_divergence_is_flagged_never_silent_nan():
    tr = jl.simulate("dirac", scheme="simgd", lr=0.5, steps=500, loss="wgan", x0=[[1.0, 1.0], [0.0, 0.0]])
    assert tr.diverged.tolist() == [True, False] and tr.diverged_at[0] > 0 and tr.diverged_at[1] == -1
    assert np.all(np.isfinite(tr.final)) and np.isnan(tr.rate[0])
    assert tr.steps_taken[0] == tr.diverged_at[0] and not tr.converged[0]


def test_recording_shapes_and_nan_after_divergence():
    tr = jl.simulate("dirac", scheme="simgd", lr=0.5, steps=100, loss="wgan", x0=[1.0, 1.0], record_every=10, bound=50)
    assert tr.states.shape == (1, 11, 2) and tr.distance.shape == (1, 11)
    k = tr.diverged_at[0] // 10 + 1
    assert np.all(np.isfinite(tr.states[0, :k])) and np.all(np.isnan(tr.states[0, k:]))
    np.testing.assert_allclose(tr.states[0, 0], [1, 1])


def test_memory_bound_refuses_with_advice():
    with pytest.raises(jl.JacobianLabError, match="use record_every >= "):
        jl.simulate("dirac", steps=1000, x0=np.zeros((1000, 2)), record_every=1, max_memory=1e6)


def test_gradient_noise_is_seeded():
    a = jl.simulate("dirac", reg="r1", lr=0.1, steps=50, noise=0.1, seed=3)
    b = jl.simulate("dirac", reg="r1", lr=0.1, steps=50, noise=0.1, seed=3)
    c = jl.simulate("dirac", reg="r1", lr=0.1, steps=50, noise=0.1, seed=4)
    np.testing.assert_array_equal(a.final, b.final)
    assert not np.array_equal(a.final, c.final)


@pytest.mark.parametrize("kwargs,message", [
    ({"steps": 0}, "steps must be an integer >= 1"), ({"x0": [1, 2, 3]}, r"shape \(2,\)"),
    ({"x0": [np.nan, 1]}, "finite"), ({"noise": -1}, "noise"), ({"backend": "cuda"}, "unknown backend"),
    ({"scheme": "simgdd"}, "did you mean 'simgd'"), ({"lr": 0}, "'lr' must be > 0"),
    ({"record_every": 0}, "record_every"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(jl.JacobianLabError, match=message):
        jl.simulate("dirac", **kwargs)


def test_convergence_map():
    m = jl.convergence_map("dirac", reg="r1", gamma=0.5, lr=0.2, grid=(7, 5), steps=1500, tol=1e-6)
    assert m.converged_at.shape == (5, 7) and np.all(m.converged_at >= 0) and np.all(m.diverged_at == -1)
    assert m.converged_at[2, 3] == 0  # the centre of the default box is the equilibrium
    bad = jl.convergence_map("dirac", lr=0.5, loss="wgan", grid=(4, 4), box=(0.5, 1, 0.5, 1), steps=300)
    assert np.all(bad.diverged_at > 0) and np.all(np.isinf(bad.final_distance))


def test_sweep_matches_spectrum():
    gammas, lrs = [0.0, 0.5, 1.5], [0.1, 0.8, 2.5]
    result = jl.sweep("dirac", "r1", gammas, lrs)
    for i, g in enumerate(gammas):
        for j, h in enumerate(lrs):
            expected = jl.spectrum("dirac", reg="r1", gamma=g, scheme="simgd", lr=h).spectral_radius
            assert result.spectral_radius[i, j] == pytest.approx(expected, rel=1e-12)
    assert result.stable.tolist()[0] == [False, False, False]


def test_sweep_on_an_executor_equals_serial():
    from concurrent.futures import ThreadPoolExecutor

    gammas, lrs = np.linspace(0, 2, 4), np.linspace(0.1, 1, 3)
    serial = jl.sweep("dirac", "r1", gammas, lrs, simulate=True, steps=40, workers=1, progress=False)
    with ThreadPoolExecutor(2) as pool:
        threaded = jl.sweep("dirac", "r1", gammas, lrs, simulate=True, steps=40, scheduler=pool, progress=False)
    np.testing.assert_array_equal(serial.spectral_radius, threaded.spectral_radius)
    np.testing.assert_array_equal(serial.simulated_rate, threaded.simulated_rate)
    assert serial.table.equals(threaded.table) and serial.simulated_rate.shape == (4, 3)


def test_cli_simulate(capsys, tmp_path):
    out = tmp_path / "run.npz"
    assert main(["simulate", "--model", "dirac", "--reg", "jare", "--gamma", "1", "--scheme", "simgd", "--lr", "0.2",
                 "--steps", "500", "--x0", "1,1", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rate"] == pytest.approx(summary["predicted_spectral_radius"], rel=1e-6)
    assert np.load(out)["final"].shape == (1, 2)
    assert main(["simulate", "--grid", "5x4", "--reg", "r1", "--lr", "0.2", "--steps", "1500"]) == 0
    assert "grid 5x4: 20 converged" in capsys.readouterr().out
    # the spelling: values starting with a minus sign
    assert main(["simulate", "--grid", "3x3", "--box", "-2,2,-2,2", "--param", "loss=wgan", "--lr", "0.5"]) == 0
    assert "grid 3x3: 1 converged, 8 diverged" in capsys.readouterr().out
    assert main(["simulate", "--x0", "-1,1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["converged_at"] == -1


@pytest.mark.parametrize("argv", [
    ["simulate", "--x0", "a,b"], ["simulate", "--grid", "axb"], ["simulate", "--out", "/nonexistent/r.npz"],
    ["simulate", "--out", "r.txt"], ["simulate", "--steps", "0"], ["sweep", "--gammas", "1,2"],
    ["sweep", "--reg", "r1", "--gamma", "1"],
])
def test_cli_bad_input(argv, capsys, tmp_path):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_cli_sweep(capsys):
    assert main(["sweep", "--model", "dirac", "--reg", "r1", "--gammas", "0,2,5", "--lrs", "0.1,1,4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["grid"] == [5, 4] and 0 < out["stable_fraction"] < 1
