"""Tests of symbackprop.render."""
