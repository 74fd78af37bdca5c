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
parameters a result depends on, and how it depends on the data. That is how the zero-sum shortcut
:math:`J_{\psi\theta} = -J_{\theta\psi}^\top` (:attr:`jacobian_lab.regularizers.Penalty.decoupled`) and
splitting the samples across processes (:attr:`~jacobian_lab.regularizers.Penalty.sample_mean`) are
derived from a definition, not listed by hand.
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
    """What a value depends on: the players (``"G"``, ``"D"``) whose parameters it reads, and its kind.

    The kind says how the value depends on the data: ``"const"`` (not at all), ``"sample"`` (one value
    per sample, inside an expectation), ``"mean"`` (an affine function of expectations over the data, so
    its value on a batch is the mean of its values on equal shards) or ``"other"``.
    """

    shape = (1, 1)

    def __init__(self, players=(), kind="const"):
        self.players, self.kind = frozenset(players), kind

    def _join(self, *others, kind=None):
        values = [o for o in others if isinstance(o, Reads)]
        players = self.players.union(*(o.players for o in values))
        return Reads(players, kind or _sum_kind([self.kind, *(o.kind for o in values)]))

    def _times(self, other):
        kinds = [k for k in (self.kind, _kind(other)) if k != "const"]
        product = "other" if "other" in kinds or kinds.count("mean") == 2 or set(kinds) == {"mean", "sample"} \
            else (kinds[0] if kinds else "const")
        return self._join(other, kind=product)

    def _divide(self, other):
        return self._join(other, kind=self.kind) if _kind(other) == "const" else self._times(other)

    def _rdivide(self, other):
        return self._join(other, kind=_sum_kind([_kind(other), "other" if self.kind == "mean" else self.kind]))

    def _power(self, exponent):
        return self._join(exponent, kind="other" if self.kind == "mean" and exponent != 1 else self.kind)

    __add__ = __radd__ = __sub__ = __rsub__ = _join
    __mul__ = __rmul__ = __matmul__ = __rmatmul__ = _times
    __truediv__, __rtruediv__, __pow__ = _divide, _rdivide, _power

    def __neg__(self):
        return self

    @property
    def T(self):  # noqa: N802 - the matrix transpose, as numpy, sympy and torch spell it
        return self

    def nonlinear(self):
        """The same dependence through a nonlinear function (a norm, a square root)."""
        return Reads(self.players, "other" if self.kind == "mean" else self.kind)


def _kind(value):
    return value.kind if isinstance(value, Reads) else "const"


def _sum_kind(kinds):
    """The kind of a sum: a mean plus a per-sample value is neither."""
    found = set(kinds) - {"const"}
    if "other" in found or found == {"mean", "sample"}:
        return "other"
    return found.pop() if found else "const"


class TraceOps(Ops):
    """:class:`Ops` on :class:`Reads`: what a definition's result depends on, never its value."""

    backend = "the dependency tracer"
    _SAMPLES = {"real": (), "fake": ("G",), "interp": ("G",)}

    def loss(self, player):
        return Reads(PLAYERS, "mean")

    def grad(self, player, wrt):
        return Reads(PLAYERS, "mean")

    def sq_norm(self, x):
        return Reads()._join(x).nonlinear()

    sqrt = sq_norm

    def expect(self, where, fn):
        value = Reads()._join(fn(Reads(self._SAMPLES[where], "sample")))
        return Reads(value.players, "mean" if value.kind in ("const", "sample") else "other")

    def input_grad(self, x):
        return Reads(("D",))._join(x)

    def weight_matrices(self):
        return [Reads(("D",))]

    def eye(self, n):
        return Reads()


class DerivativeTraceOps(TraceOps):
    """:class:`TraceOps` that also records whether a definition takes a gradient of the network
    (``ops.grad`` or ``ops.input_grad``): its Jacobian then needs third derivatives of the network."""

    def __init__(self, method: str = "this regularizer"):
        super().__init__(method)
        self.differentiates = False

    def grad(self, player, wrt):
        self.differentiates = True
        return super().grad(player, wrt)

    def input_grad(self, x):
        self.differentiates = True
        return super().input_grad(x)


def differentiates_network(term) -> bool:
    """Whether ``term(ops)`` takes a gradient of a loss or of :math:`D` (``False`` for ``None``)."""
    if term is None:
        return False
    ops = DerivativeTraceOps()
    term(ops)
    return ops.differentiates


def trace(term) -> Reads:
    """What ``term(ops)`` depends on (:class:`Reads`; nothing for ``None``)."""
    return Reads() if term is None else Reads()._join(term(TraceOps()))


def reads(term) -> frozenset:
    """The players whose parameters ``term(ops)`` depends on (empty for ``None``)."""
    return trace(term).players
