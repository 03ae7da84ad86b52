"""Tests of the configuration schemas."""
