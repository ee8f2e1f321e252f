"""nnlib: the small NumPy library of the course "Neural networks from scratch, in Jupyter".

Read it like the lessons: one module per idea, forward and backward side by side.
"""

__version__ = "0.1.0"
