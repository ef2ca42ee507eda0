/**
 * gate-memory.js: what a gate page remembers so that, with the server gone,
 * an offline scan still names the person and a second scan of one card is
 * caught (a card page shared as a screenshot lets two people in).
 *
 *   const memory = createGateMemory();
 *   memory.loadRoster(await (await fetch(config.rosterUrl)).json());   // on load, reconnect, every few minutes
 *   memory.noteServer(event);               // every live `checkin` / `checkin_undo` of the gate room
 *   const seen = memory.offlineScan(serial, "entry");
 *   // {person: {ref, name} | null, revoked, repeat: {at, offline} | null}
 *
 * The roster is GET /api/v1/gate/roster: {people: [[serial, ref, short name]],
 * revoked: [serial]}, the short name being what the gate may keep of a person
 * (fair.core.disclosure.gate_roster_name: first name and an initial). It is
 * held in this page's memory only, never stored: the gate page cannot open
 * without the server anyway, and a lost phone then carries no list of names.
 *
 * Presence is kept per person (by reference; "card:<serial>" for a card the
 * roster does not know yet): the server's accepted entries and exits at any
 * gate, heard live while online, and this phone's offline ones. An offline
 * entry of someone already inside is a repeat, with the time they got in.
 */

const UNDOABLE = new Set(["ok", "exit_recorded"]);

export function createGateMemory({ now = () => new Date() } = {}) {
  let people = new Map();        // serial -> {ref, name}
  let revoked = new Set();       // serials of replaced cards
  const inside = new Map();      // ref (or "card:<serial>") -> {at, offline, checkinId}
  const byCheckin = new Map();   // checkin id -> ref, to undo what an undo names
  let loadedAt = null;

  function loadRoster(data) {
    if (!data || !Array.isArray(data.people)) return false;
    const next = new Map();
    for (const row of data.people) {
      if (Array.isArray(row) && Number.isInteger(row[0]) && typeof row[1] === "string") {
        next.set(row[0], { ref: row[1], name: typeof row[2] === "string" ? row[2] : "" });
      }
    }
    people = next;
    revoked = new Set(Array.isArray(data.revoked) ? data.revoked.filter(Number.isInteger) : []);
    loadedAt = now();
    return true;
  }

  /** A live event of the gate room: accepted entries and exits anywhere, and undos. */
  function noteServer(event) {
    if (!event || typeof event !== "object") return;
    if (event.type === "checkin" && UNDOABLE.has(event.status) && event.attendee && event.attendee.ref) {
      const ref = event.attendee.ref;
      if (event.id != null) byCheckin.set(event.id, ref);
      if (event.status === "ok") inside.set(ref, { at: event.scanned_at || event.at || now().toISOString(), offline: false });
      else inside.delete(ref);
    } else if (event.type === "checkin_undo") {
      const ref = (event.attendee && event.attendee.ref) || byCheckin.get(event.checkin_id);
      if (!ref) return;
      if (event.inside) inside.set(ref, { at: event.at || now().toISOString(), offline: false });
      else inside.delete(ref);
    }
  }

  /** A genuine card scanned while offline: who it is, and whether it is a repeat. Records it. */
  function offlineScan(serial, kind) {
    const person = people.get(serial) || null;
    const key = person ? person.ref : `card:${serial}`;
    const earlier = inside.get(key) || null;
    const repeat = kind === "entry" && earlier ? { at: earlier.at, offline: earlier.offline } : null;
    if (kind === "entry") {
      if (!earlier) inside.set(key, { at: now().toISOString(), offline: true });
    } else {
      inside.delete(key);
    }
    return { person, revoked: revoked.has(serial), repeat };
  }

  return {
    loadRoster,
    noteServer,
    offlineScan,
    person: (serial) => people.get(serial) || null,
    get size() { return people.size; },
    get loadedAt() { return loadedAt; },
    /** Forget everything (the phone is no longer accepted as a gate). */
    clear() { people = new Map(); revoked = new Set(); inside.clear(); byCheckin.clear(); loadedAt = null; },
  };
}
