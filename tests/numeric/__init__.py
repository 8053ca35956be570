"""Tests of symbackprop.numeric."""
