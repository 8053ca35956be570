"""Tests of symbackprop.model."""
