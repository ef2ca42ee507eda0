// lib/card-check.js on its own: base32, the check characters, and signatures made here.
// tests/test_card_check_js.py pins the same module to fair/checkin/cards.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import {
  base32, unbase32, parseToken, manualCodeOk, isNationalId, nationalIdOk, createCardCheck, hex, MANUAL_ALPHABET,
} from "../../fair/static/js/lib/card-check.js";

const subtle = webcrypto.subtle;
const bytes = (text) => new TextEncoder().encode(text);

test("base32 matches the RFC 4648 test vectors, without padding", () => {
  const vectors = { "": "", f: "MY", fo: "MZXQ", foo: "MZXW6", foob: "MZXW6YQ", fooba: "MZXW6YTB", foobar: "MZXW6YTBOI" };
  for (const [plain, encoded] of Object.entries(vectors)) {
    assert.equal(base32(bytes(plain)), encoded);
    assert.deepEqual(Array.from(unbase32(encoded)), Array.from(bytes(plain)));
  }
});

test("base32 round-trips every byte value and 71-byte tokens", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(unbase32(base32(all)), all);
  const token = webcrypto.getRandomValues(new Uint8Array(71));
  assert.equal(base32(token).length, 114);
  assert.deepEqual(unbase32(base32(token)), token);
});

test("unbase32 refuses characters outside the alphabet", () => {
  for (const bad of ["MZ0W", "mzxw", "MZ=W", "MZ1W", "MZ8W"]) assert.equal(unbase32(bad), null, bad);
});

async function fairKey() {
  const pair = await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const raw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
  const tag = new Uint8Array(await subtle.digest("SHA-256", raw)).slice(0, 3);
  return { pair, publicKey: Buffer.from(raw).toString("base64"), keyTag: hex(tag), tag };
}

async function token(fair, serial) {
  const payload = new Uint8Array(7);
  payload.set(fair.tag);
  new DataView(payload.buffer).setUint32(3, serial);
  const signature = new Uint8Array(await subtle.sign({ name: "Ed25519" }, fair.pair.privateKey, payload));
  const raw = new Uint8Array(71);
  raw.set(payload);
  raw.set(signature, 7);
  return `SJW1.${base32(raw)}`;
}

test("a genuine card gives its serial; case and surrounding space are forgiven", async () => {
  const fair = await fairKey();
  const check = createCardCheck({ ...fair, subtle });
  const text = await token(fair, 4242);
  assert.deepEqual(await check(text), { verdict: "genuine", serial: 4242 });
  assert.deepEqual(await check(`  ${text.toLowerCase()}\n`), { verdict: "genuine", serial: 4242 });
  assert.deepEqual(await check(await token(fair, 2 ** 32 - 1)), { verdict: "genuine", serial: 2 ** 32 - 1 });
});

test("a changed signature is forged, another fair's card is wrong_fair, a garbled one unknown", async () => {
  const fair = await fairKey();
  const other = await fairKey();
  const check = createCardCheck({ ...fair, subtle });
  const text = await token(fair, 7);
  const flipped = text.slice(0, 40) + (text[40] === "A" ? "B" : "A") + text.slice(41);
  assert.equal((await check(flipped)).verdict, "forged");
  assert.equal((await check(await token(other, 7))).verdict, "wrong_fair");
  assert.equal((await check(text.slice(0, -1))).verdict, "unknown");
  assert.equal((await check(`${text}A`)).verdict, "unknown");
  assert.equal((await check("SJW1.NOT-BASE32")).verdict, "unknown");
});

test("only the canonical spelling is a card: the last character's spare bits must be zero", async () => {
  const fair = await fairKey();
  const text = await token(fair, 9);
  const last = text.at(-1);
  const sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(last) ^ 1];
  const spelled = text.slice(0, -1) + sibling;
  assert.deepEqual(unbase32(spelled.slice(5)), unbase32(text.slice(5)), "same bytes, other text");
  assert.equal(parseToken(spelled), null);
  assert.equal((await createCardCheck({ ...fair, subtle })(spelled)).verdict, "unknown");
});

test("without WebCrypto (plain http) a token of this fair is unverified, not accepted", async () => {
  const fair = await fairKey();
  const text = await token(fair, 1);
  assert.equal((await createCardCheck({ ...fair, subtle: null })(text)).verdict, "unverified");
  const broken = { importKey: async () => { throw new Error("no Ed25519"); } };
  assert.equal((await createCardCheck({ ...fair, subtle: broken })(text)).verdict, "unverified");
});

function withCheckChar(eight) {
  const sum = [...eight].reduce((s, c, i) => s + (9 - i) * MANUAL_ALPHABET.indexOf(c), 0);
  return eight + MANUAL_ALPHABET[(31 - (sum % 31)) % 31];
}

test("a manual code needs its check character; any single change or adjacent swap is caught", () => {
  const code = withCheckChar("ABCD2345");
  assert.ok(manualCodeOk(code));
  assert.ok(manualCodeOk(`${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase()));
  assert.ok(manualCodeOk(` ${code.slice(0, 4)}\u2013${code.slice(4)} `));
  for (let i = 0; i < 9; i++) {
    for (const c of MANUAL_ALPHABET) {
      if (c !== code[i]) assert.ok(!manualCodeOk(code.slice(0, i) + c + code.slice(i + 1)), `${i} -> ${c}`);
    }
    if (i < 8 && code[i] !== code[i + 1]) {
      assert.ok(!manualCodeOk(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2)), `swap ${i}`);
    }
  }
  assert.ok(!manualCodeOk("0BCD23451"), "0 is outside the alphabet");
});

test("national IDs: the shape never to keep, and the check digit", () => {
  assert.ok(isNationalId("1101700203450") && nationalIdOk("1101700203450"));
  assert.ok(isNationalId("1-1017-00203-45-0") && nationalIdOk("1 1017 00203 45 0"));
  assert.ok(isNationalId("๑๑๐๑๗๐๐๒๐๓๔๕๐") && nationalIdOk("๑๑๐๑๗๐๐๒๐๓๔๕๐"));
  assert.ok(isNationalId("1101700203451") && !nationalIdOk("1101700203451"), "wrong check digit");
  assert.ok(isNationalId("0101700203450") && !nationalIdOk("0101700203450"), "no ID starts with 0");
  assert.ok(!isNationalId("110170020345") && !isNationalId("11017002034501"));
});

test("typed codes: an ID needs the network, a typo is a typo, anything else unknown", async () => {
  const check = createCardCheck({ publicKey: "", keyTag: "000000", subtle });
  assert.equal((await check(withCheckChar("ABCD2345"))).verdict, "typed");
  assert.equal((await check("1101700203450")).verdict, "national_id");
  assert.equal((await check("1101700203451")).verdict, "typo");
  assert.equal((await check("ABCD-23456")).verdict, "typo");
  assert.equal((await check("hello, world!")).verdict, "unknown");
});
