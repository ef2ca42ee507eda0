/**
 * pages/booth-view.js: what the booth page draws, apart from the scanner:
 * the candidate card, the qualify form (rating, next step, the booth's own
 * questions, tags, job, note), the profile and match breakdown folded below
 * them, the delete-with-confirmation, and the booth's lead list.
 *
 *   const view = createBoothView(config, {onOpenLead, onDelete});
 *   view.renderCandidate(current, {scroll});   view.renderList(leads);
 *   view.onEdit(({rating} | {step} | {answer: {id, value}} | {toggleTag} | {addTag} | {jobRef} | {notes}) => …);
 *
 * The first screen of a 360 x 640 phone after a scan holds the name, the best
 * match in one line, rating, next step and the save state. "Saved" stays
 * until the next change or the next candidate (never wiped by a redraw).
 *
 * It holds no state of its own: pages/booth.js passes the lead on screen.
 * Every text from the server or an attendee goes in with textContent, never
 * innerHTML.
 */
import { t, timeFormat } from "../lib/i18n.js";

/** A lead's answers after an edit: the edit's answers over the old ones, null clearing one. */
export function mergeAnswers(old, partial) {
  const merged = { ...(old || {}), ...(partial || {}) };
  for (const key of Object.keys(merged)) if (merged[key] === null || merged[key] === undefined) delete merged[key];
  return merged;
}

/** "Scanned by A · edited by B" (B only when another phone wrote last); "" when unknown. */
export function byLine(lead) {
  if (!lead || !lead.scanned_by) return "";
  const first = t("lead.scanned_by", { name: lead.scanned_by });
  return lead.edited_by && lead.edited_by !== lead.scanned_by
    ? `${first} · ${t("lead.edited_by", { name: lead.edited_by })}` : first;
}

/** The best of the matches in one line, for the first screen; "" without matches. */
export function bestMatchLine(matches) {
  if (!matches || !matches.length) return "";
  const best = matches.reduce((a, b) => (b.score > a.score ? b : a));
  return t("lead.best", { title: best.title, score: Math.round(best.score) });
}

export function createBoothView(page, { onOpenLead, onDelete = () => {} }) {
  const $ = (id) => document.getElementById(id);
  let editHandler = () => {};
  let shown = null;                 // which lead or scan the card shows: a new one resets its state

  function candidateTitle(candidate) {
    if (!candidate) return t("scan.queued");
    return candidate.shared && candidate.name ? candidate.name : candidate.pseudonym;
  }

  /** An <li> with text or an element in it. */
  function item(content, className = "") {
    const li = document.createElement("li");
    if (className) li.className = className;
    if (typeof content === "string") li.textContent = content; else li.append(content);
    return li;
  }

  function button(text, onClick, className = "btn") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    if (onClick) b.addEventListener("click", onClick);
    return b;
  }

  function addFact(dl, label, value) {
    if (value == null || value === "" || (Array.isArray(value) && !value.length)) return;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = Array.isArray(value) ? value.join(", ") : String(value);
    dl.append(dt, dd);
  }

  function statusText(current) {
    if (current.queued) return t("candidate.waiting");
    return { ok: t("scan.ok"), updated: t("scan.updated"), refused: t("queue.refused") }[current.status] || "";
  }

  function renderCandidate(current, { scroll = true } = {}) {
    const section = $("candidate");
    if (!current) { section.hidden = true; shown = null; return; }
    section.hidden = false;
    const identity = current.leadId != null ? `lead:${current.leadId}` : `scan:${current.scanNonce}`;
    if (identity !== shown) {       // another candidate: nothing of the last one's state stays
      shown = identity;
      setSaveState(null);
      closeDeleteConfirm();
    }
    const c = current.candidate;
    $("cand-title").textContent = candidateTitle(c);
    const best = $("cand-best");
    best.textContent = bestMatchLine(current.matches);
    best.hidden = !best.textContent;
    renderBy(current);
    $("lead-delete-box").hidden = current.leadId == null;
    const status = $("cand-status");
    status.textContent = statusText(current);
    status.dataset.state = current.queued ? "queued" : current.status || "";
    status.hidden = !status.textContent;
    $("cand-private").hidden = !c || c.shared;

    const facts = $("cand-facts");
    facts.replaceChildren();
    const skills = $("cand-skills");
    skills.replaceChildren();
    if (c) {
      if (c.shared) addFact(facts, t("fact.number"), c.pseudonym);
      addFact(facts, t("fact.education"), page.education[c.education] || c.education);
      if (c.shared) {
        if (c.experience_years != null) addFact(facts, t("fact.experience"), t("candidate.experience", { n: c.experience_years }));
        addFact(facts, t("fact.phone"), c.phone);
        addFact(facts, t("fact.email"), c.email);
        addFact(facts, t("fact.province"), (page.provinces || {})[c.province] || c.province);
        addFact(facts, t("fact.wants"), c.desired_positions);
      }
      for (const skill of c.skills || []) skills.append(item(skill, "chip"));
    }
    renderMatches(current.matches);
    renderForm(current, { keepNotes: !scroll && document.activeElement === $("notes") });
    if (scroll) section.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function renderMatches(matches) {
    const list = $("cand-matches");
    list.replaceChildren();
    // null: a queued scan or a lead opened from the list, with no fresh match to show.
    list.hidden = list.previousElementSibling.hidden = matches === null;
    if (!matches || !matches.length) {
      list.append(item(t("match.none"), "muted"));
      return;
    }
    for (const match of matches) {
      const head = document.createElement("div");
      head.className = "match-head";
      const title = document.createElement("strong");
      title.textContent = match.title;
      const score = document.createElement("span");
      score.className = "match-score";
      score.textContent = t("match.score", { score: Math.round(match.score) });
      head.append(title, score);
      const meter = document.createElement("meter");
      meter.min = 0; meter.max = 100; meter.value = match.score;
      const li = item(head);
      li.append(meter);
      if (match.reasons && match.reasons.length) {
        const reasons = document.createElement("ul");
        reasons.className = "match-reasons";
        for (const reason of match.reasons) {
          reasons.append(item(typeof reason === "string" ? reason : reason.text || JSON.stringify(reason)));
        }
        li.append(reasons);
      }
      list.append(li);
    }
  }

  function formValues(current) {
    const lead = (current && current.lead) || {};
    return {
      rating: lead.rating || null,
      next_step: lead.next_step || "none",
      tags: lead.tags || [],
      job_ref: lead.job_ref || "",
      notes: lead.notes || "",
      answers: lead.answers || {},
    };
  }

  function renderBy(current) {
    const by = $("cand-by");
    by.textContent = byLine(current && current.lead);
    by.hidden = !by.textContent;
  }

  /** The booth's own questions, each answered with a tap (yes/no, a choice) or a short text. */
  function renderQuestions(answers) {
    const box = $("cand-questions");
    const focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement : null;
    if (focused && focused.tagName === "INPUT") return;   // never redraw under the recruiter's typing
    box.replaceChildren(...(page.questions || []).map((q) => {
      const set = document.createElement("fieldset");
      set.className = "booth-question";
      set.dataset.question = q.id;
      const legend = document.createElement("legend");
      legend.textContent = q.label;
      set.append(legend);
      const value = answers[String(q.id)];
      if (q.kind === "text") {
        const input = document.createElement("input");
        input.maxLength = 200;
        input.value = value || "";
        input.placeholder = t("answer.placeholder");
        input.setAttribute("aria-label", q.label);
        input.dataset.answerText = q.id;
        set.append(input);
      } else {
        const row = document.createElement("div");
        row.className = "answer-buttons";
        const options = q.kind === "yesno" ? [[true, t("answer.yes")], [false, t("answer.no")]]
          : q.choices.map((choice) => [choice, choice]);
        for (const [option, label] of options) {
          const b = button(label, null, "btn answer");
          b.setAttribute("aria-pressed", String(value === option));
          b.addEventListener("click", () => editHandler({ answer: { id: q.id, value: value === option ? null : option } }));
          row.append(b);
        }
        set.append(row);
      }
      return set;
    }));
  }

  function renderForm(current, { keepNotes = false } = {}) {
    const v = formValues(current);
    renderBy(current);
    renderQuestions(v.answers);
    for (const b of document.querySelectorAll("[data-rating]")) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.rating) === v.rating));
    }
    for (const b of document.querySelectorAll("[data-step]")) {
      b.setAttribute("aria-pressed", String(b.dataset.step === v.next_step));
    }
    $("tag-chips").replaceChildren(...[...new Set([...page.tags, ...v.tags])].map((tag) => {
      const chip = button(tag, null, "chip");
      chip.dataset.tag = tag;
      chip.setAttribute("aria-pressed", String(v.tags.includes(tag)));
      return chip;
    }));
    $("job-select").value = v.job_ref;
    if (!keepNotes) $("notes").value = v.notes;
  }

  /** "Saving…", "Saved", "Saved on this phone" or "Not saved": stays until the next one (null clears). */
  function setSaveState(key, vars) {
    const el = $("save-state");
    el.textContent = key ? t(key, vars) : "";
    el.dataset.state = key ? key.split(".")[1] : "";
  }

  function closeDeleteConfirm() {
    $("delete-confirm").hidden = true;
    $("lead-delete").hidden = false;
    $("lead-delete").setAttribute("aria-expanded", "false");
  }

  function stars(rating) {
    return rating ? "★".repeat(rating) + "☆".repeat(5 - rating) : t("leads.unrated");
  }

  function renderList(leads) {
    const list = $("lead-list");
    const clock = timeFormat();
    const sorted = [...leads.values()].sort((a, b) => String(b.last_scanned_at || "").localeCompare(String(a.last_scanned_at || "")));
    $("leads-empty").hidden = sorted.length > 0;
    list.replaceChildren(...sorted.slice(0, 100).map((lead) => {
      const entry = button("", null, "lead-item");
      entry.dataset.lead = lead.id;
      const name = document.createElement("strong");
      name.textContent = candidateTitle(lead.candidate);
      const meta = document.createElement("span");
      meta.className = "lead-meta";
      const when = lead.last_scanned_at ? clock.format(new Date(lead.last_scanned_at)) : "";
      meta.textContent = [stars(lead.rating), page.next_steps[lead.next_step] || "", when].filter(Boolean).join(" · ");
      entry.append(name, meta);
      const by = byLine(lead);
      if (by) {
        const who = document.createElement("span");
        who.className = "lead-meta lead-by";
        who.textContent = by;
        entry.append(who);
      }
      if (lead.tags && lead.tags.length) {
        const tags = document.createElement("span");
        tags.className = "lead-tags";
        tags.textContent = lead.tags.join(", ");
        entry.append(tags);
      }
      return item(entry);
    }));
  }

  // --- the form's controls, reported as edits -----------------------------------------

  function addFreeTag() {
    const input = $("tag-free");
    const tag = input.value.trim().slice(0, 40);
    input.value = "";
    if (tag) editHandler({ addTag: tag });
  }

  const saveNotes = () => editHandler({ notes: $("notes").value });

  $("qualify").addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    if (b.dataset.rating) editHandler({ rating: Number(b.dataset.rating) });
    else if (b.dataset.step) editHandler({ step: b.dataset.step });
    else if (b.dataset.tag !== undefined) editHandler({ toggleTag: b.dataset.tag });
    else if (b.id === "tag-add") addFreeTag();
    else if (b.id === "notes-save") saveNotes();
  });
  $("notes").addEventListener("change", saveNotes);
  $("tag-free").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); addFreeTag(); }
  });
  $("job-select").addEventListener("change", (event) => {
    // The API clears nothing on an empty value, so "no job" is only a starting state.
    if (event.target.value) editHandler({ jobRef: event.target.value });
  });
  $("cand-questions").addEventListener("change", (event) => {
    const id = event.target.dataset.answerText;
    if (id) editHandler({ answer: { id: Number(id), value: event.target.value.trim() || null } });
  });
  $("lead-delete").addEventListener("click", () => {
    $("delete-confirm").hidden = false;
    $("lead-delete").hidden = true;
    $("lead-delete").setAttribute("aria-expanded", "true");
    $("delete-yes").focus();
  });
  $("delete-no").addEventListener("click", closeDeleteConfirm);
  $("delete-yes").addEventListener("click", () => { closeDeleteConfirm(); onDelete(); });
  $("qualify").addEventListener("submit", (event) => event.preventDefault());
  $("lead-list").addEventListener("click", (event) => {
    const entry = event.target.closest("[data-lead]");
    if (entry) onOpenLead(Number(entry.dataset.lead));
  });

  return {
    candidateTitle, item, button, renderCandidate, renderForm, renderList, formValues, setSaveState,
    renderQuestions: (current) => renderQuestions(formValues(current).answers),
    /** handler(edit) for every change the recruiter makes in the form. */
    onEdit(handler) { editHandler = handler; },
  };
}
