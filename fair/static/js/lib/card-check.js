/**
 * card-check.js: what a phone alone can tell about a scanned or typed code,
 * for a gate that has lost the server. The rules are fair/checkin/cards.py's
 * and fair/checkin/natid.py's, written again for the browser;
 * tests/test_card_check_js.py runs this module on cards made by cards.py and
 * fails when the two disagree.
 *
 *   const check = createCardCheck({publicKey: config.publicKey, keyTag: config.keyTag});
 *   const {verdict, serial} = await check("SJW1.…");
 *
 * A card token is "SJW1." + base32(tag[3] || serial[4] || Ed25519 signature[64])
 * (RFC 4648 alphabet, no padding, 114 characters after the prefix, canonical
 * spelling only). The signature is checked with WebCrypto's Ed25519, which a
 * browser offers only in a secure context (https); elsewhere the verdict is
 * "unverified". No third-party code: base32 and the check characters are a
 * few lines each.
 *
 * Verdicts: "genuine" (with the serial), "forged" (bad signature),
 * "wrong_fair" (another fair's key tag), "unverified" (a token this browser
 * cannot check), "typed" (a manual code whose check character is right),
 * "national_id" (13 digits with a right check digit: it needs the server),
 * "typo" (looks typed, but a check fails; `problem` says which, as
 * cards.code_typo does: "check_character", "length", "character" or
 * "id_check_digit") or "unknown".
 */

export const TOKEN_PREFIX = "SJW1.";
export const TOKEN_BODY_CHARS = 114;
export const TOKEN_BYTES = 71;
const KEY_TAG_BYTES = 3;
const PAYLOAD_BYTES = 7;
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const MANUAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const MANUAL_LENGTH = 9;
// As cards.py and natid.py strip them: spaces and the dashes people and phones type.
const MANUAL_SEPARATORS = /[ \t\r\n\u00a0\-\u2010-\u2014\u2212_]/g;
const ID_SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;

/** RFC 4648 base32 of bytes, upper case, without "=" padding. */
export function base32(bytes) {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** The bytes of unpadded base32 text, or null when a character is outside the alphabet. */
export function unbase32(text) {
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = B32.indexOf(ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The 71 bytes of a card token in its canonical spelling (case and
 * surrounding space forgiven, as the server does), or null.
 */
export function parseToken(text) {
  const upper = String(text).trim().toUpperCase();
  if (!upper.startsWith(TOKEN_PREFIX)) return null;
  const body = upper.slice(TOKEN_PREFIX.length);
  if (body.length !== TOKEN_BODY_CHARS) return null;
  const bytes = unbase32(body);
  // The last character carries 2 unused bits: one card has exactly one valid text.
  if (!bytes || bytes.length !== TOKEN_BYTES || base32(bytes) !== body) return null;
  return bytes;
}

/** A 9-character manual code whose check character is right (cards.normalize_manual_code is not None). */
export function manualCodeOk(text) {
  const code = String(text).normalize("NFKC").toUpperCase().replace(MANUAL_SEPARATORS, "");
  if (code.length !== MANUAL_LENGTH) return false;
  let sum = 0;
  for (let i = 0; i < MANUAL_LENGTH; i++) {
    const v = MANUAL_ALPHABET.indexOf(code[i]);
    if (v < 0) return false;
    sum += (MANUAL_LENGTH - i) * v;
  }
  return sum % MANUAL_ALPHABET.length === 0;
}

function idDigits(text) {
  return String(text || "").normalize("NFKC")
    .replace(/[๐-๙]/g, (d) => String(d.charCodeAt(0) - 0x0e50))
    .replace(ID_SEPARATORS, "");
}

/** A 13-digit Thai national ID (Thai or Arabic digits, spaces or dashes between): never queued in clear. */
export function isNationalId(text) {
  return /^[0-9]{13}$/.test(idDigits(text));
}

/** A national ID whose check digit is right (natid.is_valid_national_id). */
export function nationalIdOk(text) {
  const digits = idDigits(text);
  if (!/^[1-9][0-9]{12}$/.test(digits)) return false;
  let total = 0;
  for (let i = 0; i < 12; i++) total += Number(digits[i]) * (13 - i);
  return (11 - (total % 11)) % 10 === Number(digits[12]);
}

const TYPO_LENGTH_MIN = MANUAL_LENGTH - 3;
const TYPO_LENGTH_MAX = MANUAL_LENGTH + 3;

/**
 * What is wrong with text typed as a manual code or a national ID when it was
 * clearly meant as one, else null (cards.code_typo, rule for rule): a wrong
 * check character, characters missing or extra, a character codes never use,
 * or an ID's wrong check digit. Only a mix of letters and digits is judged as
 * a manual code: all digits is a phone number, all letters a name.
 */
export function codeTypo(text) {
  const raw = String(text);
  if (raw.trim().toUpperCase().startsWith(TOKEN_PREFIX)) return null;
  if (isNationalId(raw)) return nationalIdOk(raw) ? null : "id_check_digit";
  const code = raw.normalize("NFKC").toUpperCase().replace(MANUAL_SEPARATORS, "");
  if (!/^[A-Z0-9]+$/.test(code) || /^[0-9]+$/.test(code) || /^[A-Z]+$/.test(code)) return null;
  if (code.length < TYPO_LENGTH_MIN || code.length > TYPO_LENGTH_MAX) return null;
  if (code.length !== MANUAL_LENGTH) return "length";
  if ([...code].some((c) => !MANUAL_ALPHABET.includes(c))) return "character";
  return manualCodeOk(code) ? null : "check_character";
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * A checker for one fair: publicKey is the raw Ed25519 key in base64, keyTag
 * its 3-byte tag in hex (both from the gate's page config). subtle defaults to
 * the browser's crypto.subtle (absent over plain http).
 */
export function createCardCheck({ publicKey, keyTag, subtle = globalThis.crypto && globalThis.crypto.subtle }) {
  let key = null;
  function verifyKey() {
    if (!key) {
      key = (async () => {
        if (!subtle || !publicKey) return null;
        try {
          return await subtle.importKey("raw", fromBase64(publicKey), { name: "Ed25519" }, false, ["verify"]);
        } catch (err) {
          console.warn("card-check: this browser cannot verify Ed25519 signatures", err);
          return null;
        }
      })();
    }
    return key;
  }

  return async function check(code) {
    const text = String(code);
    if (text.trim().toUpperCase().startsWith(TOKEN_PREFIX)) {
      const bytes = parseToken(text);
      if (!bytes) return { verdict: "unknown" };
      if (hex(bytes.slice(0, KEY_TAG_BYTES)) !== keyTag) return { verdict: "wrong_fair" };
      const verifier = await verifyKey();
      if (!verifier) return { verdict: "unverified" };
      let genuine;
      try {
        genuine = await subtle.verify({ name: "Ed25519" }, verifier, bytes.slice(PAYLOAD_BYTES), bytes.slice(0, PAYLOAD_BYTES));
      } catch (err) {
        console.warn("card-check: signature not checked", err);
        return { verdict: "unverified" };
      }
      if (!genuine) return { verdict: "forged" };
      return { verdict: "genuine", serial: new DataView(bytes.buffer).getUint32(KEY_TAG_BYTES) };
    }
    if (isNationalId(text)) {
      return nationalIdOk(text) ? { verdict: "national_id" } : { verdict: "typo", problem: "id_check_digit" };
    }
    if (manualCodeOk(text)) return { verdict: "typed" };
    const problem = codeTypo(text);
    if (problem) return { verdict: "typo", problem };
    return { verdict: /^[\s\dA-Z\-๐-๙]{6,20}$/i.test(text.trim()) ? "typo" : "unknown" };
  };
}
