"""Tests of symbackprop.derive."""
