"""Closed forms at the equilibrium (placeholder replaced below)."""
