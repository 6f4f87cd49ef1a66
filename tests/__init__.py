"""Tests of the Click to dial integration."""
