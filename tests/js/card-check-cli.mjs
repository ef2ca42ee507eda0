// Runs lib/card-check.js on codes given as JSON on stdin: {publicKey, keyTag, codes: [...]}.
// Prints [{verdict, serial?}, ...], the manual-code and national-ID checks and the typo, for
// tests/test_card_check_js.py to compare with fair/checkin/cards.py and natid.py.
import { webcrypto } from "node:crypto";
import { codeTypo, createCardCheck, manualCodeOk, isNationalId, nationalIdOk } from "../../fair/static/js/lib/card-check.js";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const { publicKey, keyTag, codes } = JSON.parse(input);
const check = createCardCheck({ publicKey, keyTag, subtle: webcrypto.subtle });
const out = [];
for (const code of codes) {
  out.push({ ...(await check(code)), manual: manualCodeOk(code), id_shape: isNationalId(code), id_valid: nationalIdOk(code), typo: codeTypo(code) });
}
process.stdout.write(JSON.stringify(out));
