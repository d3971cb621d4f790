"""Offline scripts: build the training set, train the texture CNN, fit the fusion.

Never imported at run time (the CNN trainer needs the optional `train` extra).
"""
