"""Interop with the libraries qsearch sits beside (Qiskit primitives and algorithms, PennyLane)."""
