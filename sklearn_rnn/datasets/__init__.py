"""Data sets: synthetic generators for demonstrating and testing the cells."""

from sklearn_rnn.datasets._synthetic import make_adding_problem

__all__ = ["make_adding_problem"]
