"""Data sets: synthetic generators and small real series that ship with the
package."""

from sklearn_rnn.datasets._real import load_co2
from sklearn_rnn.datasets._synthetic import make_adding_problem

__all__ = ["load_co2", "make_adding_problem"]
