// The gate page's pure parts added for issue 15 (entrance): typo screens, the offline roster
// and its repeat-scan flag, the counts line, the search's confirm step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useStrings } from "../../fair/static/js/lib/i18n.js";
import { codeTypo } from "../../fair/static/js/lib/card-check.js";
import { describe as gateScreen, describeOffline } from "../../fair/static/js/pages/gate.js";

const STRINGS = {
  "mistyped.title": "Typo in the code", "mistyped.check_character": "Last character wrong",
  "mistyped.length": "9 characters", "mistyped.character": "No 0 O 1 I L",
  "mistyped.id_check_digit": "ID typo", "offline.bad_code": "Not a valid code",
  "offline.bad_code_detail": "Check the code", "unknown.title": "Unknown card",
};

test("a typo answered by the server is amber and says what is wrong, never 'Unknown card'", () => {
  useStrings(STRINGS);
  for (const [problem, detail] of [["check_character", "Last character wrong"], ["length", "9 characters"],
    ["character", "No 0 O 1 I L"], ["id_check_digit", "ID typo"]]) {
    const [kind, content, summary] = gateScreen({ status: "mistyped", problem });
    assert.equal(kind, "warn");
    assert.equal(content.title, "Typo in the code");
    assert.equal(content.detail, detail);
    assert.equal(summary, "Typo in the code");
  }
  assert.equal(gateScreen({ status: "mistyped", problem: "new" })[1].detail, "Check the code");
});

test("offline, the phone names the same typo as the server would", () => {
  useStrings(STRINGS);
  const mixedWrong = "AB3DEFGH" + "2";   // the right check character of AB3DEFGH is not 2 (see codeTypo)
  assert.equal(codeTypo(mixedWrong), "check_character");
  const screen = describeOffline({ verdict: "typo", problem: codeTypo("AB3DEFGH") });
  assert.deepEqual([screen[0], screen[1].title, screen[1].detail], ["warn", "Typo in the code", "9 characters"]);
  assert.equal(describeOffline({ verdict: "typo" })[1].title, "Not a valid code");
  assert.equal(codeTypo("Somchai"), null);
  assert.equal(codeTypo("081 234 5678"), null);
});
