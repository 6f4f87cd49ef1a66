"""End-to-end tests: a real Home Assistant in a real browser."""
