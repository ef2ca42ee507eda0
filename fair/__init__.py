"""Job-fair check-in and on-site matching for Smart Job Wallet cards.

Kept free of imports on purpose: `fair serve` must monkey-patch eventlet
before Flask, SQLAlchemy or anything else touches socket or threading, and
importing any fair.* module runs this file first.
"""


def create_app(test_config=None):
    """Build the Flask app (see fair.app.create_app)."""
    from fair.app import create_app as build
    return build(test_config)
