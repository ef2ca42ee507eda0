"""Employers, booths, jobs, and the leads recruiters capture at booths."""
from flask import Blueprint

bp = Blueprint("booths", __name__)

from fair.booths import pages, routes  # noqa: E402,F401
