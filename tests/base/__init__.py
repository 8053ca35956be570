"""Tests of symbackprop.base."""
