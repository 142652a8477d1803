"""Schemas of the framework tables under ``rules/frameworks/`` (what the source readers know of
each framework's API), validated with the rule base. Kept outside the reader packages so that
validating the rule base does not import the readers."""
