"""The Python API as users call it: its verbs, its errors, fuzzed."""
