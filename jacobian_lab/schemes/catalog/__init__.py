"""The schemes, one module each; importing this package registers every module's scheme.

A new scheme is one module here that defines a :class:`~jacobian_lab.schemes.base.Scheme` subclass
with a ``name``: nothing else needs an edit (the CLI flags, ``jacobian-lab list``, the spectra,
simulations, plots and torch training all read its declarations).
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
