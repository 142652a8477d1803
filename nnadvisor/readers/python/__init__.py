"""The static-analysis core every Python-source reader stands on (PyTorch scripts today; Keras
scripts and notebook cells build on the same pieces).

- :mod:`.source`: bytes to a syntax tree, with every refusal (size, NUL bytes, encoding, syntax)
  as a located problem; nothing is imported or executed.
- :mod:`.span`: where a node is, as a span with an end (and a notebook cell when there is one).
- :mod:`.index`: one pass over the tree that records imports and aliases, definitions,
  assignments by scope, calls and parents, so that later questions are lookups, not walks.
- :mod:`.evaluate`: the static value of an expression (literals, constants, arithmetic) and the
  binding of a call's arguments to a function's parameters.
"""
