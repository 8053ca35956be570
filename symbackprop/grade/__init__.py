"""Grading a class: questions and answers read, each answer (a formula or a whole working) checked line by line by
verify, scored by the question's rubric, and the answers spread over every core or a Dask cluster.

This stage sits above ``verify`` (it asks verify for each line's verdict) and below ``render`` (which lays out the
finished grades): the table of rows it makes is plain data.
"""
