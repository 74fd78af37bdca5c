"""One JSON form for every result: strict JSON, numbers as numbers, non-finite values as ``null``.

JSON (RFC 8259) has no NaN or Infinity, and writing them as strings makes ``d["phase_factor"] > 10``
fail. The rule used by every ``--json`` output and by :func:`dumps`:

* a finite number is a JSON number; a complex number is ``{"real": x, "imag": y}``;
* a number that is not finite is written as ``null``, and the top-level object gets a key
  ``"non_finite"`` mapping the value's path to what it was: ``{"phase_factor": "inf",
  "optimal_step.iterations": "inf", "eigenvalues.3.real": "nan"}`` (keys joined by ``.``, list
  positions as numbers). The key is absent when every number is finite;
* arrays are (nested) lists, dataclasses and named tuples are objects, anything else (sympy
  expressions, paths) is its ``str``.

:func:`loads` reads such a document back with the non-finite values restored as floats.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np

NON_FINITE = "non_finite"


def jsonable(value, path: str = "", found: dict | None = None):
    """``value`` as plain JSON types; non-finite floats become ``None`` and are recorded in ``found``."""
    found = {} if found is None else found
    if isinstance(value, bool | str | type(None)):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _number(float(value), path, found)
    if isinstance(value, complex | np.complexfloating):
        return {"real": _number(value.real, _join(path, "real"), found),
                "imag": _number(value.imag, _join(path, "imag"), found)}
    if isinstance(value, np.ndarray | list | tuple) and not hasattr(value, "_asdict"):
        return [jsonable(v, _join(path, i), found) for i, v in enumerate(value)]
    if isinstance(value, dict) or hasattr(value, "_asdict"):
        items = value.items() if isinstance(value, dict) else value._asdict().items()
        return {str(k): jsonable(v, _join(path, k), found) for k, v in items}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), _join(path, f.name), found)
                for f in dataclasses.fields(value)}
    return str(value)


def _join(path, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _number(x: float, path: str, found: dict):
    if math.isfinite(x):
        return x
    found[path] = "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return None


def to_json_object(obj) -> dict:
    """A JSON-ready dict of ``obj`` following the module's rule (``"non_finite"`` added if needed)."""
    found: dict = {}
    out = jsonable(obj, "", found)
    if not isinstance(out, dict):
        found = {}
        out = jsonable({"value": obj}, "", found)
    if found:
        out[NON_FINITE] = found
    return out


def dumps(obj, indent: int | None = 2) -> str:
    """Strict JSON text of ``obj`` (``allow_nan=False``: no ``NaN``/``Infinity`` literals)."""
    return json.dumps(to_json_object(obj), indent=indent, allow_nan=False)


def loads(text: str) -> dict:
    """Parse a document written by :func:`dumps`, putting the recorded non-finite floats back."""
    data = json.loads(text)
    for path, what in data.pop(NON_FINITE, {}).items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = float(what)
        else:
            node[last] = float(what)
    return data
