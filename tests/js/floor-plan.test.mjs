// The floor plan always fits its box (issue 15): a 360 px phone, a 1280x720 screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planLayout } from "../../fair/static/js/lib/svg-chart.js";

const hall = [];
for (const [row, letter] of ["A", "B", "C", "D", "E", "F"].entries()) {
  for (let column = 1; column <= 12; column += 1) hall.push({ x: column, y: row + 1, code: `${letter}${column}`, value: 0 });
}

test("on a wide box the squares keep their codes and stop at the largest size", () => {
  const layout = planLayout(hall, 2000);
  assert.equal(layout.compact, false);
  assert.equal(layout.cell, 84);
  assert.equal(layout.width, 12 * 84);
});

test("on a 360 px phone the plan fits, with row letters and column numbers on the axes", () => {
  const layout = planLayout(hall, 312);
  assert.equal(layout.compact, true);
  assert.ok(layout.width <= 312, `${layout.width} px in a 312 px box`);
  assert.equal(layout.rows[3], "C");
  assert.equal(layout.columns[12], "12");
});

test("a box with a height limit fits both ways (the big screen)", () => {
  const layout = planLayout(hall, 900, 240);
  assert.ok(layout.height <= 240 && layout.width <= 900, JSON.stringify(layout));
});

test("codes like A012 or A-7 name their column by number", () => {
  const layout = planLayout([{ x: 12, y: 1, code: "A012" }, { x: 7, y: 2, code: "b-7" }], 100);
  assert.deepEqual([layout.columns[12], layout.columns[7], layout.rows[2]], ["12", "7", "B"]);
});
