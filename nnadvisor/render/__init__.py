"""Renderers: pure functions from result models to text. No I/O, no global state."""
