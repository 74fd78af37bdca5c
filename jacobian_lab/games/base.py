r"""The game abstraction: two players, two losses, written once in sympy.

Conventions (see ``docs/conventions.rst``): the generator's parameters are :math:`\theta`, the
discriminator's :math:`\psi`; each player *minimises* its own loss, so a zero-sum GAN with value
:math:`L` (G minimises, D maximises) has :math:`l_G = L` and :math:`l_D = -L`. The gradient vector
field is :math:`v = (-\nabla_\theta l_G, -\nabla_\psi l_D)` and its Jacobian :math:`J = \partial v/\partial x`
with :math:`x = (\theta, \psi)`.
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp

from ..errors import NotApplicableError
from ..exact import exact
from ..losses import LOSSES, Link
from ..symbolic.functions import expect_function, expect_polynomial, split_affine
from .parameters import Parameter, resolve


class Game:
    """A two-player differentiable game.

    Subclasses declare ``name``, ``description`` and ``parameters`` (a dict of
    :class:`~jacobian_lab.games.parameters.Parameter`) and implement :meth:`_losses`,
    :meth:`_players` and, where known, :meth:`_equilibrium`.

    Parameters
    ----------
    **params
        Model parameters; unknown names and invalid values raise
        :class:`~jacobian_lab.errors.JacobianLabError`.
    """

    name = "game"
    description = ""
    parameters: dict[str, Parameter] = {}

    def __init__(self, **params):
        self.values = resolve(self.parameters, params, f"model {self.name!r}")
        self._symbols: dict[sp.Symbol, object] = {}

    def symbol(self, name: str, value, positive: bool = False) -> sp.Symbol:
        """A symbol standing for the model parameter value ``value`` (see :meth:`substitutions`)."""
        sym = sp.Symbol(name, positive=True) if positive else sp.Symbol(name, real=True)
        self._symbols[sym] = exact(value)
        return sym

    def substitutions(self) -> dict:
        """Exact values of the model-parameter symbols used in the losses and the equilibrium."""
        self.losses()
        self.equilibrium  # noqa: B018 - creates the symbols it uses
        return dict(self._symbols)

    # -- what subclasses provide -----------------------------------------------------------
    def _players(self) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
        raise NotImplementedError

    def _losses(self, noise_std) -> tuple[sp.Expr, sp.Expr]:
        raise NotImplementedError

    def _equilibrium(self):
        return None

    # -- public interface ------------------------------------------------------------------
    @cached_property
    def theta(self) -> tuple[sp.Symbol, ...]:
        """Generator parameters."""
        return self._players()[0]

    @cached_property
    def psi(self) -> tuple[sp.Symbol, ...]:
        """Discriminator parameters."""
        return self._players()[1]

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """All parameters, generator first: :math:`x = (\\theta, \\psi)`."""
        return self.theta + self.psi

    @property
    def dim(self) -> int:
        return len(self.variables)

    def losses(self, noise_std=0) -> tuple[sp.Expr, sp.Expr]:
        """``(l_G, l_D)``, each minimised by its player; exact expectations over the data.

        ``noise_std`` is the standard deviation of instance noise added to real and generated
        samples (Sønderby et al. 2017; Mescheder et al. 2018), expectation taken exactly.
        """
        if noise_std != 0 and not self.supports_instance_noise:
            raise NotApplicableError(
                f"instance-noise needs a game with data samples; {self.name!r} has none "
                "(models with data: dirac, gaussian, lq)"
            )
        return self._losses(exact(noise_std))

    supports_instance_noise = False
    has_discriminator = False
    weight_matrices: tuple = ()

    @cached_property
    def equilibrium(self):
        """The equilibrium as a tuple of sympy numbers, or ``None`` if unknown in closed form."""
        eq = self._equilibrium()
        return None if eq is None else tuple(exact(e) for e in eq)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"


class GANGame(Game):
    """A GAN whose value is an exact expectation over Gaussian data and latent noise.

    Subclasses implement :meth:`discriminator` (the logit of *real*, as a sympy expression of the
    sample ``x``), :meth:`real_sample` and :meth:`fake_sample` (affine in standard normal symbols
    where the loss needs it). The ``loss`` parameter names a :class:`~jacobian_lab.losses.GANLoss`
    (``gan``, ``nsgan``, ``wgan``), whose expectations are taken exactly here.
    """

    supports_instance_noise = True
    has_discriminator = True
    data_dim = 1

    def discriminator(self, x):
        raise NotImplementedError

    def real_sample(self, noise):
        raise NotImplementedError

    def fake_sample(self, noise):
        raise NotImplementedError

    def _noise(self, tag: str):
        return tuple(sp.Symbol(f"n_{tag}{i}") for i in range(self.data_dim))

    def _samples(self, noise_std):
        real_noise, fake_noise = self._noise("r"), self._noise("f")
        extra_r, extra_f = self._noise("R"), self._noise("F")
        real = [r + noise_std * e for r, e in zip(self.real_sample(real_noise), extra_r)]
        fake = [f + noise_std * e for f, e in zip(self.fake_sample(fake_noise), extra_f)]
        return (real, real_noise + extra_r), (fake, fake_noise + extra_f)

    def _expect(self, link: Link, points, normals):
        """:math:`\\mathbb E f(D(x))` for the link ``f`` over samples ``points`` of the ``normals``, exact."""
        argument = link.sign * self.discriminator(points)
        if link.function == "identity":
            return link.scale * expect_polynomial(argument, normals)
        try:
            mean, variance = split_affine(argument, normals)
        except ValueError:
            raise NotApplicableError(
                f"the {self.values.get('loss')!r} loss of {self.name!r} has no exact expectation "
                "(the discriminator is not linear in the data); use loss='wgan'"
            ) from None
        return link.scale * expect_function(link.function, mean, variance)

    def _losses(self, noise_std):
        samples = dict(zip(("real", "fake"), self._samples(noise_std)))
        return LOSSES[self.values["loss"]].players(lambda where, link: self._expect(link, *samples[where]))

    def sample_points(self, where: str):
        """``(points, normals, uniforms)``: one ``where`` sample (no instance noise) and its random variables.

        ``where`` is ``"real"``, ``"fake"`` (:math:`G_\\theta(z)`) or ``"interp"``
        (:math:`a x + (1-a) G_\\theta(z)`, :math:`a \\sim U[0, 1]`); the points are expressions
        in independent standard normals and uniforms, for exact expectations.
        """
        (real, n_real), (fake, n_fake) = self._samples(0)
        if where == "real":
            return real, n_real, ()
        if where == "fake":
            return fake, n_fake, ()
        a = sp.Symbol("a_interp")
        return [a * r + (1 - a) * f for r, f in zip(real, fake)], n_real + n_fake, (a,)
