"""Employers, booths, jobs, and the leads recruiters capture at booths."""
from flask import Blueprint

bp = Blueprint("booths", __name__)

