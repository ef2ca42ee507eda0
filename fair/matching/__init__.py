"""Matching people in the hall to jobs on the floor, and the live organiser dashboard."""
from flask import Blueprint

bp = Blueprint("matching", __name__)

