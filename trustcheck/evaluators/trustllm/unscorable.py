"""The one signal task code raises when an item cannot be judged here (no judge, no field...)."""


class Unscorable(Exception):
    """The item gets an UNSCORED verdict whose reason is this exception's message."""
