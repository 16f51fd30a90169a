"""QWOP Studio: train, watch and play reinforcement-learning agents on a faithful QWOP."""
__version__ = "0.1.0"
