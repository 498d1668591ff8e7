"""SearchProgram → circuits of a given framework (qiskit here; PennyLane builds its own)."""
