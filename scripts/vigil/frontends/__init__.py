"""Python reference front-ends: the training pipelines' own feature extraction.

These are the oracles the C front-ends in modules/vigil are checked against.
"""
