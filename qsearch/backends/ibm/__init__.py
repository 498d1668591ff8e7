"""IBM Quantum: the ``ibm`` backend, the runtime adapter, the job store, devices and credentials.

Importing this package loads nothing heavy: qiskit-ibm-runtime is imported by the modules that
need it, when first used.
"""
