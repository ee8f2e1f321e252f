"""The checks of every exercise, one module per lesson (``lesson03.py`` checks ``03.*``).

Each check is registered with ``nnlib.checking.exercise`` and run by ``nnlib.checking.check``.
"""
