"""Colleagues' phones at a glance: each phone account of the company, its calls and online."""
