"""What the entrance tells the areas above it (fair.booths, fair.matching, fair.organiser).

fair.checkin is the lowest area: it imports none of the others. Where an area
above must react to a check-in, or add to its answer, it connects a receiver
here (blinker, as Flask's own signals and Indico's). Senders are the app.
"""
from __future__ import annotations

from blinker import Namespace

signals = Namespace()

# After an entry or exit is committed; holder=the services.CardHolder with its presence
# as just written. fair.matching keeps its pool of the people inside with it.
presence_changed = signals.signal("presence-changed")

# A gate asked for booth suggestions with its check-in; holder=..., top=..., lang=...
# A receiver returns the suggestions (a list of dicts); fair.matching is the one that does.
recommendations_wanted = signals.signal("recommendations-wanted")

# An attendee's profile was just written (self-registration), flushed or not, not yet
# committed; attendees=[...]. fair.matching stores their occupation code and title
# embedding then, once, so that no scan ever computes them.
profile_written = signals.signal("profile-written")
