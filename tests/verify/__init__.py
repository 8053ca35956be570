"""Tests of symbackprop.verify."""
