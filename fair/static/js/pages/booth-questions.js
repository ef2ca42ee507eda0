/**
 * pages/booth-questions.js: "Our own questions" on the booth page.
 *
 *   const questions = init(config, {token, onChange});   // pages/booth.js
 *   questions.replace(list);     // the `questions` event: another phone or the organiser changed them
 *
 * Lists the booth's questions (at most config.max_questions) with a Remove
 * button that asks first, and a form to add one (text, yes/no, or a choice
 * from a comma-separated list). Changes go straight to
 * /api/v1/booths/<code>/questions over HTTP (they need the network); the
 * server's answer or refusal, already translated, is shown under the form.
 * onChange(list) lets the lead form redraw its questions.
 */
import { requestJson, NetworkError } from "../lib/http.js";
import { t } from "../lib/i18n.js";

/** "Day shift, Night shift;Evening" -> ["Day shift", "Night shift", "Evening"]. */
export function splitChoices(text) {
  return String(text || "").split(/[,;、\n]/).map((c) => c.trim()).filter(Boolean);
}

export function init(page, { token = null, onChange = () => {} } = {}) {
  const $ = (id) => document.getElementById(id);
  let questions = [...(page.questions || [])];

  function say(key, vars) {
    const el = $("question-state");
    el.textContent = key ? t(key, vars) : "";
    el.dataset.state = key && key.endsWith("failed") ? "failed" : "saved";
  }

  function render() {
    $("question-count").textContent = String(questions.length);
    const list = $("question-list");
    const full = questions.length >= page.max_questions;
    $("question-form").hidden = full;
    if (!questions.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = t("question.none");
      list.replaceChildren(empty);
      return;
    }
    list.replaceChildren(...questions.map((q) => {
      const li = document.createElement("li");
      li.className = "question-item";
      li.dataset.question = q.id;
      const label = document.createElement("strong");
      label.textContent = q.label;
      const kind = document.createElement("span");
      kind.className = "lead-meta";
      kind.textContent = q.kind === "choice" ? q.choices.join(" / ") : t(`question.kind.${q.kind}`);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn question-remove";
      remove.textContent = t("question.remove");
      const confirm = document.createElement("div");
      confirm.className = "delete-confirm";
      confirm.setAttribute("role", "alertdialog");
      confirm.hidden = true;
      const text = document.createElement("p");
      text.textContent = t("question.remove_confirm", { label: q.label });
      const yes = document.createElement("button");
      yes.type = "button";
      yes.className = "btn btn-danger question-remove-yes";
      yes.textContent = t("question.remove_yes");
      const no = document.createElement("button");
      no.type = "button";
      no.className = "btn";
      no.textContent = t("question.keep");
      const row = document.createElement("div");
      row.className = "button-row";
      row.append(yes, no);
      confirm.append(text, row);
      remove.addEventListener("click", () => { confirm.hidden = false; remove.hidden = true; yes.focus(); });
      no.addEventListener("click", () => { confirm.hidden = true; remove.hidden = false; });
      yes.addEventListener("click", () => removeQuestion(q));
      li.append(label, kind, remove, confirm);
      return li;
    }));
  }

  function replace(list) {
    questions = [...list];
    render();
    onChange(questions);
  }

  async function send(url, options) {
    try {
      return await requestJson(url, { token, timeoutMs: 10000, ...options });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      console.warn("booth questions: not sent (no network)", err);
      return { ok: false, status: 0, body: { message: t("scanner.network") } };
    }
  }

  async function removeQuestion(q) {
    const result = await send(`${page.questions_url}/${q.id}`, { method: "DELETE" });
    if (!result.ok && result.status !== 404) {
      say("question.failed", { message: result.body.message || result.status });
      render();
      return;
    }
    replace(questions.filter((x) => x.id !== q.id));
    say("question.removed");
  }

  $("question-kind").addEventListener("change", (event) => {
    $("question-choices-field").hidden = event.target.value !== "choice";
  });

  $("question-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = $("question-kind").value;
    const body = { label: $("question-label").value, kind };
    if (kind === "choice") body.choices = splitChoices($("question-choices").value);
    const result = await send(page.questions_url, { method: "POST", json: body });
    if (!result.ok) {
      say("question.failed", { message: result.body.message || result.status });
      return;
    }
    $("question-label").value = "";
    $("question-choices").value = "";
    if (!questions.some((q) => q.id === result.body.question.id)) replace([...questions, result.body.question]);
    say("question.added");
  });

  render();
  return { replace };
}
