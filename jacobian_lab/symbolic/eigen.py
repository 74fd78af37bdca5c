r"""Exact eigenvalues: block structure first, then closed forms per block.

A matrix is split into the connected components of its sparsity pattern (after an optional
orthogonal change of basis, e.g. the Gaussian example's modes). A block of size 1 or 2 has the
closed form :math:`\lambda = \tfrac12(\operatorname{tr} \pm \sqrt{\operatorname{tr}^2 - 4\det})`;
larger blocks are solved exactly when their characteristic polynomial factors into pieces of degree
at most two, and are left to numerics otherwise. Repeated eigenvalues keep their exact multiplicity,
and a Jordan block (geometric < algebraic multiplicity) is detected exactly by a rank computation.
"""

from __future__ import annotations

import sympy as sp

MAX_EXACT_BLOCK = 4


def components(matrix: sp.Matrix) -> list[list[int]]:
    """Index sets of the diagonal blocks of ``matrix`` up to a permutation."""
    n = matrix.shape[0]
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(n):
            if i != j and matrix[i, j] != 0:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def tidy(expr):
    """Simplify symbolic entries; expand and rationalise numeric ones (much faster)."""
    return sp.simplify(expr) if expr.free_symbols else sp.radsimp(sp.expand(expr))


def blocks(matrix: sp.Matrix, basis: sp.Matrix | None = None) -> list[sp.Matrix]:
    """The diagonal blocks of ``basis.T @ matrix @ basis`` (``basis`` orthogonal)."""
    if basis is not None:
        matrix = (basis.T * matrix * basis).applyfunc(tidy)
    return [matrix.extract(idx, idx) for idx in components(matrix)]


def block_eigenvalues(block: sp.Matrix) -> dict | None:
    """Exact ``{eigenvalue: multiplicity}`` of one block, or ``None`` if not derivable cheaply."""
    n = block.shape[0]
    if n == 1:
        return {sp.simplify(block[0, 0]): 1}
    if n == 2:
        tr, det = block.trace(), block.det()
        root = sp.sqrt(sp.simplify(tr**2 - 4 * det))
        if root == 0:
            return {sp.simplify(tr / 2): 2}
        return _merge([sp.simplify((tr + root) / 2), sp.simplify((tr - root) / 2)])
    if n > MAX_EXACT_BLOCK:
        return None
    lam = sp.Dummy("lambda")
    _, factors = sp.factor_list(block.charpoly(lam).as_expr(), lam)
    if any(sp.degree(f, lam) > 2 for f, _ in factors):
        return None
    out: dict = {}
    for factor, power in factors:
        for root, mult in sp.roots(sp.Poly(factor, lam)).items():
            root = sp.simplify(root)
            out[root] = out.get(root, 0) + mult * power
    return out if sum(out.values()) == n else None


def _merge(values):
    out: dict = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def exact_eigenvalues(matrix: sp.Matrix, basis: sp.Matrix | None = None) -> dict | None:
    """Exact ``{eigenvalue: multiplicity}`` of ``matrix``, or ``None`` where a block is too hard."""
    out: dict = {}
    for block in blocks(matrix, basis):
        eig = block_eigenvalues(block)
        if eig is None:
            return None
        for value, mult in eig.items():
            out[value] = out.get(value, 0) + mult
    return out


def defective_eigenvalues(matrix: sp.Matrix, eigenvalues: dict) -> tuple:
    """Eigenvalues whose geometric multiplicity is below their algebraic one (exact ranks)."""
    n = matrix.shape[0]
    out = []
    for value, mult in eigenvalues.items():
        if mult > 1 and n - (matrix - value * sp.eye(n)).rank(simplify=True) < mult:
            out.append(value)
    return tuple(out)
