r"""The operations every regularizer is written against, once for all backends.

A penalty term is a plain function ``term(ops) -> scalar`` of these operations, evaluated at the
current point :math:`(\theta, \psi)`. The symbolic core (:class:`jacobian_lab.symbolic.ops.SympyOps`,
exact expectations) and the torch bridge (``jacobian_lab.torch_bridge.ops.TorchOps``,
:mod:`torch.func`) implement them, so both fields come from the same definition. Players are
``"G"`` (the generator, parameters :math:`\theta`) and ``"D"`` (the discriminator, :math:`\psi`).

========================== =================================================================
``ops.loss(p)``            the player's unregularized loss :math:`l_p`
``ops.grad(p, q)``         :math:`\nabla_q l_p`, a vector over player ``q``'s parameters
``ops.sq_norm(x)``         :math:`\|x\|^2` of a vector or matrix (Frobenius)
``ops.sqrt(x)``            :math:`\sqrt x`
``ops.expect(where, fn)``  :math:`\mathbb E\, \mathrm{fn}(x)` over one sample :math:`x` of ``"real"``,
                           ``"fake"`` (:math:`G_\theta(z)`) or ``"interp"``
                           (:math:`a x + (1-a) G_\theta(z)`, :math:`a \sim U[0, 1]`) data
``ops.input_grad(x)``      :math:`\nabla_x D_\psi(x)` at one sample
``ops.weight_matrices()``  the discriminator's weight matrices (with ``.T``, ``@`` and ``.shape``)
``ops.eye(n)``             the :math:`n \times n` identity
========================== =================================================================

:class:`TraceOps` evaluates a definition on :class:`Reads` values that only record which players'
parameters a result depends on; that is how the zero-sum shortcut :math:`J_{\psi\theta} =
-J_{\theta\psi}^\top` is derived from a definition (:attr:`jacobian_lab.regularizers.Penalty.decoupled`).
"""

from __future__ import annotations

from ..errors import NotApplicableError

PLAYERS = ("G", "D")
WHERE = ("real", "fake", "interp")


def _refused(needs: str):
    """An operation a backend has not provided: refuses, naming the regularizer and what it needs."""

    def operation(self, *args):
        raise NotApplicableError(f"{self.method} needs {needs}, which {self.backend} does not provide")

    return operation


class Ops:
    """The operations, each refusing with :class:`NotApplicableError` until a backend provides it.

    Parameters
    ----------
    method : str
        The regularizer being evaluated, named in error messages.
    """

    backend = "this backend"

    def __init__(self, method: str = "this regularizer"):
        self.method = method

    loss = _refused("a player's loss")
    grad = _refused("the gradient of a loss")
    sq_norm = _refused("squared norms")
    sqrt = _refused("square roots")
    expect = _refused("expectations over the data")
    input_grad = _refused("the gradient of D with respect to its input")
    weight_matrices = _refused("discriminator weight matrices")
    eye = _refused("identity matrices")


class Reads:
    """A value that records the players (``"G"``, ``"D"``) whose parameters it depends on."""

    shape = (1, 1)

    def __init__(self, players=()):
        self.players = frozenset(players)

    def _join(self, *others):
        return Reads(self.players.union(*(o.players for o in others if isinstance(o, Reads))))

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _join
    __truediv__ = __rtruediv__ = __pow__ = __matmul__ = __rmatmul__ = _join

    def __neg__(self):
        return self

    @property
    def T(self):  # noqa: N802 - the matrix transpose, as numpy, sympy and torch spell it
        return self


class TraceOps(Ops):
    """:class:`Ops` on :class:`Reads`: what a definition's result depends on, never its value."""

    backend = "the dependency tracer"
    _SAMPLES = {"real": (), "fake": ("G",), "interp": ("G",)}

    def loss(self, player):
        return Reads(PLAYERS)

    def grad(self, player, wrt):
        return Reads(PLAYERS)

    def sq_norm(self, x):
        return Reads()._join(x)

    sqrt = sq_norm

    def expect(self, where, fn):
        return Reads()._join(fn(Reads(self._SAMPLES[where])))

    def input_grad(self, x):
        return Reads(("D",))._join(x)

    def weight_matrices(self):
        return [Reads(("D",))]

    def eye(self, n):
        return Reads()


def reads(term) -> frozenset:
    """The players whose parameters ``term(ops)`` depends on (empty for ``None``)."""
    if term is None:
        return frozenset()
    return Reads()._join(term(TraceOps())).players
