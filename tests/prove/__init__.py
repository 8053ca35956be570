"""Tests of symbackprop.prove."""
