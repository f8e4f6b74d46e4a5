"""irref: an offline, scriptable reference for interventional radiology procedures.

Educational reference material only, never medical advice.
"""

__version__ = "0.1.0"
