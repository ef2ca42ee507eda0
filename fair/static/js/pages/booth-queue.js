/**
 * pages/booth-queue.js: which of the booth phone's queued items belong to a lead,
 * and whether a server answer says that lead is gone. Pure (no DOM), for
 * pages/booth.js and its unit tests.
 *
 * A queued edit names its lead by id, or, when it was made while the lead's
 * own scan was still queued, by that scan's nonce (the lead id comes with the
 * scan's answer). Once the lead is known to be deleted (this phone deleted it,
 * another phone's `lead_deleted` event, a 410 "lead_deleted" answer to a
 * replayed edit, or a replayed scan whose receipt no longer holds a lead) its
 * edits still waiting are dropped, never replayed: each could only be refused.
 */

/** The lead id a queued item is about: its own, or the one its scan got (leadOfScan(nonce)). */
export function leadOfItem(item, leadOfScan = () => undefined) {
  const body = item && item.body;
  if (!body || body.op !== "edit") return null;
  if (body.lead_id != null) return body.lead_id;
  const id = body.scan_nonce ? leadOfScan(body.scan_nonce) : undefined;
  return id == null ? null : id;
}

/** Is this queued item an edit of lead `leadId` (or, with scanNonce, of the lead that scan made)? */
export function isEditOf(item, { leadId = null, scanNonce = null } = {}, leadOfScan = () => undefined) {
  const body = item && item.body;
  if (!body || body.op !== "edit") return false;
  if (scanNonce && body.scan_nonce === scanNonce && body.lead_id == null) return true;
  return leadId != null && leadOfItem(item, leadOfScan) === leadId;
}

/** The server says the lead of this edit was deleted (410 "lead_deleted"). */
export function leadDeleted(status, body) {
  return status === 410 && Boolean(body) && body.error === "lead_deleted";
}

/**
 * A scan's answer that names no lead although the card was accepted: the receipt of a scan
 * whose lead was deleted since (a replay of a scan the server had already received).
 */
export function scanOfDeletedLead(answer) {
  return Boolean(answer) && !answer.error && (answer.status === "ok" || answer.status === "updated")
    && answer.lead_id == null;
}
