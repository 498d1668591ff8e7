"""Quantum search algorithms; each returns a SearchResult with every oracle query counted."""
