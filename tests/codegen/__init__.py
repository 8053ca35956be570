"""Tests of symbackprop.codegen."""
