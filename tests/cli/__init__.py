"""End-to-end tests of the command line, as a user runs it."""
