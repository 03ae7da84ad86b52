"""Tests of the portfolio construction optimizers."""
