"""Faults and hostile inputs (issue 14): each test reproduces one and checks what is promised."""
