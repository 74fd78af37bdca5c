"""The default factors of ``jl.spectrum(torch_game)`` are well-posed on a network these tests were not
tuned on: stable across rtol 1e-10..1e-4, float64 = float32 within the float32 noise floor, an error
bar across data batches; honest verdicts; the predicted local rate against restarted training."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import jacobian_lab as jl  # noqa: E402
from jacobian_lab.spectra.uncertainty import error_bar  # noqa: E402
from jacobian_lab.torch_bridge import validation as val  # noqa: E402
from jacobian_lab.torch_bridge.examples import mog_game, sample_mixture  # noqa: E402
from jacobian_lab.torch_bridge.training import train  # noqa: E402

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def trained():
    """A network no default was tuned on: 25 Gaussians, ELU layers of 7 units, NSGAN, own seed,
    trained by Adam with a small R1 towards an equilibrium."""
    game = mog_game("mog25", width=7, depth=2, batch=40, loss="nsgan", activation=torch.nn.ELU, seed=23)
    train(game, 300, method="adam", lr=5e-3, reg="r1", gamma=0.2, record_every=10**6, k=0, progress=False)
    return game


@pytest.fixture(scope="module")
def spectrum(trained):
    return jl.spectrum(trained, progress=False)


def test_default_factors_are_network_ones_and_finite(spectrum):
    assert spectrum.factors == "network"
    f = spectrum.network
    assert f.complete and f.n_null is not None and 0 < f.dominant < f.m
    for value in (spectrum.condition_factor, spectrum.phase_factor, f.summary()["rate"]):
        assert math.isfinite(value)
    # neither default reads back the cutoff, while the paper's extreme ratio is set by it
    assert spectrum.condition_factor < 1e3
    paper = [jl.Spectrum(spectrum.eigenvalues, rtol=r).paper_condition_factor for r in (1e-10, 1e-4)]
    assert paper[0] > 30 * paper[1]


def test_defaults_do_not_move_with_rtol(spectrum):
    spread = val.rtol_spread(spectrum)
    assert set(spread) == set(val.DEFAULT_SUMMARIES)
    assert max(spread.values()) < 0.10, spread


def test_float32_agrees_within_its_noise_floor(trained, spectrum):
    s32 = jl.spectrum(val.with_precision(trained, torch.float32), progress=False)
    assert s32.network.null_threshold > 1e6 * spectrum.network.null_threshold  # float32's floor is its own
    floor = val.float32_noise_floor(spectrum, s32)
    assert floor < 0.05
    a, b = spectrum.network.summary(), s32.network.summary()
    for key in ("condition_factor", "phase_factor", "rate"):
        assert b[key] == pytest.approx(a[key], rel=floor), key
    assert b["phase_angle"] == pytest.approx(a["phase_angle"], abs=math.degrees(floor))


def test_error_bar_across_data_batches(trained):
    values = []
    for seed in range(3):
        gen = torch.Generator().manual_seed(100 + seed)
        latent = torch.randn(40, 2, generator=gen, dtype=torch.float64)
        game = val.with_batch(trained, sample_mixture("mog25", 40, seed=100 + seed), latent)
        values.append(jl.spectrum(game, progress=False).condition_factor)
    bar = error_bar(values)
    assert bar.n == 3 and bar.low <= bar.mean <= bar.high and bar.high > bar.low
    assert min(values) <= bar.low and bar.high <= max(values)


def test_verdicts_are_honest_on_a_network(trained, spectrum):
    assert spectrum.field_norm > 0 and spectrum.fixed_point is False and spectrum.stability is None
    assert "local linearisation" in spectrum.to_dict()["verdict"]
    top = jl.spectrum(trained, k=4, which="LM", progress=False)
    out = top.to_dict()
    assert out["stable"] is None and out["optimal_step"] is None and out["max_stable_step"] is None
    assert out["network_factors"]["m"] == 4 and out["network_factors"]["rate"] is None


def test_predicted_rate_matches_restarted_training(trained, spectrum):
    """Along the eigenvector of the binding dominant eigenvalue, the difference of two training runs
    contracts (or grows) at |1 + h lambda_b| per step, to within the drift of a near-fixed point."""
    step = 0.05
    dominant = spectrum.eigenvalues[np.argsort(-np.abs(spectrum.eigenvalues))][:spectrum.network.dominant]
    lam, u = val.binding_mode(spectrum.jacobian, dominant, step)
    assert np.linalg.norm(spectrum.jacobian @ u - lam.real * u) < 2 * abs(lam) + 1e-12  # in its invariant subspace
    ratios = val.contraction(trained, None, None, spectrum.point, u, step, 30, size=1e-6)
    measured, predicted = val.measured_rate(ratios), val.predicted_rate(lam, step)
    assert abs(measured - predicted) < 0.1 * abs(predicted - 1) + 1e-4, (measured, predicted)


def test_cli_report_states_what_was_not_computed(capsys):
    from jacobian_lab.cli import main

    assert main(["spectrum", "--example", "mog8", "--k", "3"]) == 0
    out = capsys.readouterr().out
    assert "no stability verdict" in out and "step size            none" in out
    assert "top-3" in out and "inf" not in out


def test_fast_residual_is_the_projected_distance_for_a_linear_field():
    """For v = J (x - x*), fast_distance = ||P_S (x - x*)||, computed here through V^-1 instead of the
    left eigenvectors; fast_share is 1 for a displacement inside S and 0 outside it."""
    rng = np.random.default_rng(4)
    jac = rng.standard_normal((12, 12)) - 3 * np.eye(12)
    lam, vecs = np.linalg.eig(jac)
    order = np.argsort(-np.abs(lam), kind="stable")
    m = val.dominant_modes(jac, 6)[0].size  # 6, or 7 to keep a conjugate pair whole
    assert m in (6, 7) and (m == 6 or np.isclose(lam[order[5]], np.conj(lam[order[6]])))
    err = rng.standard_normal(12)
    coef = np.linalg.solve(vecs, err)
    projected = (vecs[:, order[:m]] @ coef[order[:m]]).real
    out = val.fast_residual(jac, jac @ err, m)
    assert out["fast_distance"] == pytest.approx(np.linalg.norm(projected), rel=1e-10)
    assert out["field_norm"] == pytest.approx(np.linalg.norm(jac @ err))
    _, right, _ = val.dominant_modes(jac, m)
    inside = val.dominant_direction(right, seed=1)
    assert np.linalg.norm(inside) == pytest.approx(1.0)
    assert val.fast_residual(jac, jac @ inside, m)["fast_share"] == pytest.approx(1.0, rel=1e-9)
    outside = (vecs[:, order[m:]] @ coef[order[m:]]).real
    assert val.fast_residual(jac, jac @ outside, m)["fast_share"] < 1e-10
    with pytest.raises(jl.JacobianLabError, match="at most"):
        val.dominant_modes(jac, 13)


def test_over_batches_reports_an_error_bar_per_summary(trained):
    pool = sample_mixture("mog25", 4 * 40, seed=7)
    spread = val.over_batches(trained, pool, n_batches=4, keys=("condition_factor", "phase_angle"), progress=False)
    assert spread.n_batches == 4 and set(spread.error_bars) == {"condition_factor", "phase_angle"}
    for key, bar in spread.error_bars.items():
        values = spread.values[key]
        assert bar.n == 4 and min(values) <= bar.low <= bar.mean <= bar.high <= max(values)
        assert bar.mean == pytest.approx(np.mean(values))
    # the batches are the pool's, disjoint: the first one's spectrum is the pool's first shuffled quarter
    order = np.random.default_rng(1).permutation(160)[:40]
    first = val.with_batch(trained, pool[torch.as_tensor(order)], torch.randn(40, 2, generator=torch.Generator()
                                                                               .manual_seed(1 + 10_000),
                                                                               dtype=torch.float64))
    assert jl.spectrum(first, progress=False).condition_factor == pytest.approx(spread.values["condition_factor"][0])
    assert spread.reference["condition_factor"] == pytest.approx(jl.spectrum(trained, progress=False).condition_factor)
    out = spread.to_dict()
    assert out["n_batches"] == 4 and len(out["summaries"]["phase_angle"]["values"]) == 4
    assert "condition_factor" in str(spread)
    # a sampler gives fresh draws per batch
    def sampler(n):  # called under torch's RNG seeded per batch
        return sample_mixture("mog25", n, seed=int(torch.randint(0, 10**6, (1,))))

    sampled = val.over_batches(trained, sampler, n_batches=2, keys=("condition_factor",), progress=False)
    assert sampled.n_batches == 2 and sampled.values["condition_factor"][0] != sampled.values["condition_factor"][1]


@pytest.mark.parametrize("kwargs, match", [({"n_batches": 0}, "n_batches"), ({"n_batches": 10**6}, "at most"),
                                            ({"keys": ("kappa",)}, "keys must be among"),
                                            ({"confidence": 1.5}, "confidence"),
                                            ({"n_batches": 5}, "fewer than 5 batches")])
def test_over_batches_refuses_bad_input(trained, kwargs, match):
    with pytest.raises(jl.JacobianLabError, match=match):
        val.over_batches(trained, sample_mixture("mog25", 100, seed=7), **kwargs)


def test_over_batches_defaults_to_the_games_own_source():
    from jacobian_lab.torch_bridge.examples import MixtureSampler

    game = mog_game("mog8", width=3, depth=1, batch=24, seed=5)
    assert isinstance(game.real_source, MixtureSampler)
    first = val.over_batches(game, n_batches=2, keys=("condition_factor",), progress=False)
    again = val.over_batches(game, n_batches=2, keys=("condition_factor",), progress=False)
    assert first.values == again.values  # seeded: reproducible
    assert first.values["condition_factor"][0] != first.values["condition_factor"][1]  # and fresh per batch
    fixed = val.with_batch(game, game.real, game.latent)
    assert fixed.real_source is None
    with pytest.raises(jl.JacobianLabError, match="no source of fresh batches"):
        val.over_batches(fixed, n_batches=2)


def test_cli_error_bars(capsys):
    import json

    from jacobian_lab.cli import main

    assert main(["spectrum", "--example", "mog8", "--arg", "width=3", "--arg", "depth=1", "--arg", "batch=24",
                 "--error-bars", "2"]) == 0
    out = capsys.readouterr().out
    assert "over 2 fresh data batches" in out and "condition_factor" in out
    assert main(["spectrum", "--example", "mog8", "--arg", "width=3", "--arg", "depth=1", "--arg", "batch=24",
                 "--error-bars", "2", "--json"]) == 0
    fresh = json.loads(capsys.readouterr().out)["fresh_batches"]
    assert fresh["n_batches"] == 2 and len(fresh["summaries"]["phase_angle"]["values"]) == 2
    for argv, message in ((["--error-bars", "0"], "from 1 to 1000"), (["--error-bars", "2", "--k", "3"], "dense")):
        assert main(["spectrum", "--example", "mog8", "--arg", "width=3", *argv]) == 2
        assert message in capsys.readouterr().err


def test_cli_reports_the_blocks_beside_the_game_spectrum(capsys):
    import json

    from jacobian_lab.cli import main

    argv = ["spectrum", "--example", "mog8", "--arg", "width=3", "--arg", "depth=1", "--arg", "batch=24"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "generator Hessian" in out and "discrim. Hessian" in out and "largest singular value" in out
    assert main([*argv, "--json"]) == 0
    blocks = json.loads(capsys.readouterr().out)["blocks"]
    game = mog_game("mog8", width=3, depth=1, batch=24)
    expected = jl.spectrum(game, progress=False).blocks().summary()
    assert blocks["hessian_discriminator"] == pytest.approx(list(expected["hessian_discriminator"]))
    assert blocks["interaction_theta_psi"] == pytest.approx(expected["interaction_theta_psi"])
    assert main([*argv, "--k", "3"]) == 0
    assert "generator Hessian" not in capsys.readouterr().out  # matrix-free: no blocks


def test_the_network_svd_condition_number_does_not_read_back_the_precision(trained, spectrum):
    """The full sigma_max / sigma_min follows the dtype; the network one (sigma_1 / sigma_m over 90% of the
    sum of the singular values above the null threshold) does not."""
    s32 = jl.spectrum(val.with_precision(trained, torch.float32), progress=False)
    assert spectrum.condition_number < 1e3
    assert s32.condition_number == pytest.approx(spectrum.condition_number, rel=val.float32_noise_floor(spectrum, s32))
    singular = np.linalg.svd(spectrum.jacobian, compute_uv=False)
    assert spectrum.paper_condition_number == pytest.approx(singular[0] / singular[-1])
    assert spectrum.paper_condition_number > 1e3 * spectrum.condition_number
