"""Regularized Jacobians at a fixed point against the block formulas of METHODS.md section 2,
on random games where each player has curvature of its own (hypothesis)."""

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_lab as jl
from jacobian_lab.games import CustomGame

coefficient = st.integers(-3, 3)


def random_game(draw_coeffs):
    x1, x2, y1, y2 = sp.symbols("x1 x2 y1 y2", real=True)
    monomials = [x1**2, x1 * x2, x2**2, y1**2, y1 * y2, y2**2, x1 * y1, x1 * y2, x2 * y1, x2 * y2,
                 x1**2 * y1, x1 * y2**2]
    c_g, c_d = draw_coeffs[: len(monomials)], draw_coeffs[len(monomials):]
    loss_g = sum(c * m for c, m in zip(c_g, monomials)) + x1**4 / 12
    loss_d = sum(c * m for c, m in zip(c_d, monomials)) + y2**4 / 12
    return CustomGame([x1, x2], [y1, y2], loss_g, loss_d, equilibrium=[0, 0, 0, 0])


def blocks(J, n=2):
    return J[:n, :n], J[:n, n:], J[n:, :n], J[n:, n:]


@settings(max_examples=25, deadline=None)
@given(st.lists(coefficient, min_size=24, max_size=24), st.sampled_from([0.3, 1.0, 2.5]))
def test_consensus_jare_sga_block_formulas(coeffs, gamma):
    game = random_game(coeffs)
    J = jl.jacobian(game)
    tt, tp, pt, pp = blocks(J)
    # field convention: consensus J - g J^T J; JARE J - g [[Jpt^T Jpt, Jpt^T Jpp], [Jtp^T Jtt, Jtp^T Jtp]]
    np.testing.assert_allclose(jl.jacobian(game, reg="consensus", gamma=gamma), J - gamma * J.T @ J, atol=1e-10)
    jare = J - gamma * np.block([[pt.T @ pt, pt.T @ pp], [tp.T @ tt, tp.T @ tp]])
    np.testing.assert_allclose(jl.jacobian(game, reg="jare", gamma=gamma), jare, atol=1e-10)
    A = (J - J.T) / 2
    np.testing.assert_allclose(jl.jacobian(game, reg="sga", gamma=gamma), J - gamma * A.T @ J, atol=1e-10)
    grad_g = J - gamma * np.block([[pt.T @ pt, pt.T @ pp], [np.zeros((2, 2)), np.zeros((2, 2))]])
    np.testing.assert_allclose(jl.jacobian(game, reg="grad-g", gamma=gamma), grad_g, atol=1e-10)


def test_penalties_commute_and_add():
    both = jl.jacobian("gaussian", reg={"r1": 0.3, "jare": 1.0})
    other_order = jl.jacobian("gaussian", reg=[("jare", 1.0), ("r1", 0.3)])
    plain = jl.jacobian("gaussian")
    np.testing.assert_allclose(both, other_order, atol=1e-14)
    sum_of_parts = jl.jacobian("gaussian", reg="r1", gamma=0.3) + jl.jacobian("gaussian", reg="jare") - plain
    np.testing.assert_allclose(both, sum_of_parts, atol=1e-12)


def test_repeated_field_transform_adds_strengths():
    """A name given twice is one regularizer with the summed strength, field transforms included:
    sga=1, sga=0.5 is sga=1.5 (not the two applied in sequence, which differs on this game)."""
    game = random_game([1, 0, 2, 1, 0, -1, 3, 1, -2, 1, 1, 0] + [0, 1, -1, 2, 1, 0, -3, 2, 1, -1, 0, 1])
    twice = jl.jacobian(game, reg=[("sga", 1.0), ("sga", 0.5)])
    J = jl.jacobian(game)
    A = (J - J.T) / 2
    np.testing.assert_allclose(twice, J - 1.5 * A.T @ J, atol=1e-10)
    once = J - A.T @ J
    A1 = (once - once.T) / 2
    assert np.abs(twice - (once - 0.5 * A1.T @ once)).max() > 1e-3
