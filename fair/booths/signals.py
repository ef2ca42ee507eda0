"""What booths tell the areas above them (fair.matching, fair.organiser); see fair.checkin.signals."""
from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# A booth scanned a card: how does the person fit the booth's jobs? booth=the booth (row
# or cached facts), candidate=the booth's view of the person, lang=... A receiver returns
# the matches, best first (a list of dicts); fair.matching is the one that does.
# person=the scanned checkin CardHolder (or None): its stored ISCO-08 codes and title
# embedding, read with the card, count only where the view shows the desired positions
# they were computed from, and are never put in the booth's answer.
matches_wanted = signals.signal("matches-wanted")
