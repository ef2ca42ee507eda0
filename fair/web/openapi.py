"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Kept as data beside the code it describes; tests check that every API route
is in it and that the documented statuses are the ones the services use.
"""
from __future__ import annotations

from fair.booths.models import LEAD_SCAN_STATUSES, NEXT_STEPS, QUESTION_KINDS
from fair.checkin.cards import TYPO_PROBLEMS
from fair.checkin.models import CHECKIN_STATUSES
from fair.extensions import MAX_ROW_ID


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


AUTH_ERRORS = {"401": {**_error("No or unknown token."),
                       "headers": {"WWW-Authenticate": {"schema": {"const": "Bearer"}}}},
               "403": _error("This device or account may not do that.")}
BAD_INPUT = {"400": _error("Invalid input: nothing was stored.")}
ISCO08 = {"type": ["string", "null"], "pattern": "^[0-9]{4}$",
          "description": "ISCO-08 unit group (4 digits), null when unknown or unsure"}
# Row ids are 32-bit (PostgreSQL's integer): a larger one in a URL names no row.
ROW_ID = {"type": "integer", "maximum": MAX_ROW_ID}
BOOTH_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 12}}


def document(version: str) -> dict:
    ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731
    return {
        "openapi": "3.1.0",
        "info": {"title": "Job fair check-in and matching API", "version": version,
                 "description": "Devices send `Authorization: Bearer <device token>` "
                                "(`fair device pair ... --json`). Every write carries a client-made "
                                "nonce: repeating it returns the first answer and never counts twice."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/checkins": {"post": {
                "summary": "A gate scan (entry or exit).", "operationId": "checkIn",
                "requestBody": _body(ref("CheckInBody")),
                "responses": {"200": _json(ref("CheckInResult")), **BAD_INPUT, **AUTH_ERRORS,
                              "429": _error("Too many typed codes from this device.")}}},
            "/api/v1/checkins/{checkin_id}/undo": {"post": {
                "summary": "Undo a wrong entry or exit: recorded as a correction naming the scan (never a "
                           "deletion); presence and counts follow. A gate undoes only its own scans of the "
                           "last GATE_UNDO_MINUTES; the organiser or an api key any scan. Undoing twice "
                           "answers `already_undone` with the first correction.",
                "operationId": "undoCheckIn",
                "parameters": [{"name": "checkin_id", "in": "path", "required": True, "schema": ROW_ID}],
                "responses": {"200": _json(ref("UndoResult")), **AUTH_ERRORS,
                              "404": _error("No such scan at this fair."),
                              "409": _error("Not an accepted entry or exit (`not_undoable`), or too old for "
                                            "a gate (`too_old`).")}}},
            "/api/v1/booths/{code}/scans": {"post": {
                "summary": "A booth scans a candidate's card (creates or updates the lead).",
                "operationId": "captureLead", "parameters": [BOOTH_CODE],
                "requestBody": _body(ref("LeadScanBody")),
                "responses": {"200": _json(ref("LeadResult")), **BAD_INPUT, **AUTH_ERRORS,
                              "404": _error("No such booth."), "429": _error("Too many typed codes.")}}},
            "/api/v1/booths/{code}/leads": {"get": {
                "summary": "The booth's own leads.", "operationId": "listLeads", "parameters": [BOOTH_CODE],
                "responses": {"200": _json({"type": "object", "properties": {
                    "leads": {"type": "array", "items": ref("Lead")}}}), **AUTH_ERRORS,
                    "404": _error("No such booth.")}}},
            "/api/v1/booths/{code}/leads/{lead_id}": {"patch": {
                "summary": "Edit a lead (rating, tags, notes, next step, job).", "operationId": "editLead",
                "parameters": [BOOTH_CODE, {"name": "lead_id", "in": "path", "required": True,
                                            "schema": ROW_ID}],
                "requestBody": _body(ref("LeadEditBody")),
                "responses": {"200": _json(ref("LeadResult")), **BAD_INPUT, **AUTH_ERRORS,
                              "404": _error("No such lead at this booth."),
                              "410": _error("The lead was deleted (error \"lead_deleted\"): the edit was "
                                            "not saved; a phone drops it from its offline queue.")}},
                "delete": {
                "summary": "Remove a lead scanned by mistake (a phone of the booth, the organiser or an api key); "
                           "audited as lead.delete. The row is removed; its scan receipts stay, without the candidate.",
                "operationId": "deleteLead",
                "parameters": [BOOTH_CODE, {"name": "lead_id", "in": "path", "required": True,
                                            "schema": ROW_ID}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "deleted": {"type": "integer"}, "booth": {"type": "string"}}}), **AUTH_ERRORS,
                    "404": _error("No such lead at this booth.")}}},
            "/api/v1/booths/{code}/questions": {"get": {
                "summary": "The booth's own questions (at most five), in the order its form asks them.",
                "operationId": "listQuestions", "parameters": [BOOTH_CODE],
                "responses": {"200": _json({"type": "object", "properties": {
                    "questions": {"type": "array", "items": ref("Question")}}}), **AUTH_ERRORS,
                    "404": _error("No such booth.")}},
                "post": {
                "summary": "Add a question (a phone of the booth, the organiser or an api key); audited.",
                "operationId": "addQuestion", "parameters": [BOOTH_CODE],
                "requestBody": _body({"type": "object", "required": ["label", "kind"], "properties": {
                    "label": {"type": "string", "maxLength": 120}, "kind": {"enum": list(QUESTION_KINDS)},
                    "choices": {"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 8}}}),
                "responses": {"201": _json({"type": "object", "properties": {"question": ref("Question")}}, "Created"),
                              **BAD_INPUT, **AUTH_ERRORS, "404": _error("No such booth."),
                              "409": _error("Five questions already, or the same question twice.")}}},
            "/api/v1/booths/{code}/questions/{question_id}": {"delete": {
                "summary": "Stop asking a question; answers already given stay in the leads and exports.",
                "operationId": "removeQuestion",
                "parameters": [BOOTH_CODE, {"name": "question_id", "in": "path", "required": True,
                                            "schema": ROW_ID}],
                "responses": {"200": _json({"type": "object"}), **AUTH_ERRORS,
                              "404": _error("No such question at this booth.")}}},
            "/api/v1/booths/{code}/candidates": {"get": {
                "summary": "Best candidates inside the hall now for this booth's jobs: each as the booth may "
                           "see them (its own pseudonym, education and skills; name and contact details "
                           "only for people it scanned who agreed to share).",
                "operationId": "candidatesInHall",
                "parameters": [BOOTH_CODE, {"name": "top", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                               {"name": "lang", "in": "query", "schema": {"enum": ["th", "en"]}}],
                "responses": {"200": _json({"type": "object"}), **BAD_INPUT, **AUTH_ERRORS,
                              "404": _error("No such booth.")}}},
            "/api/v1/booths/{code}/invitations": {"post": {
                "summary": "Invite a candidate in the hall, named by the booth's pseudonym for them "
                           "(`candidate.pseudonym` in the hall list).",
                "operationId": "invite", "parameters": [BOOTH_CODE],
                "requestBody": _body({"type": "object", "required": ["candidate"], "properties": {
                    "candidate": {"type": "string", "maxLength": 16}, "job_ref": {"type": "string"},
                    "message": {"type": "string", "maxLength": 500}}}),
                "responses": {"201": _json({"type": "object"}, "Created"), **BAD_INPUT, **AUTH_ERRORS,
                              "404": _error("This person cannot be invited now (unknown, or not in the hall).")}}},
            "/api/v1/attendees/{ref}/recommendations": {"get": {
                "summary": "Booths an attendee should visit (organiser or api key).",
                "operationId": "recommendations",
                "parameters": [{"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "top", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
                               {"name": "lang", "in": "query", "schema": {"enum": ["th", "en"]}}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "recommendations": {"type": "array", "items": ref("Recommendation")},
                    "attendee": {"type": "object", "properties": {
                        "ref": {"type": "string"}, "isco08": ISCO08,
                        "isco08_confidence": {"type": ["number", "null"]}}}}}),
                    **BAD_INPUT, **AUTH_ERRORS, "404": _error("No such attendee.")}}},
            "/api/v1/occupations/classify": {"post": {
                "summary": "Job titles (Thai or English) to ISCO-08 occupation unit groups (organiser or api key). "
                           "`isco08` is null when the classifier is unsure; `group` may then still name the "
                           "3- or 2-digit group. Uses the ESCO classification of the European Commission.",
                "operationId": "classifyOccupations",
                "requestBody": _body({"type": "object", "required": ["titles"], "properties": {
                    "titles": {"type": "array", "minItems": 1, "maxItems": 500,
                               "items": {"type": "string", "minLength": 1, "maxLength": 200,
                                         "pattern": "\\S"}}}}),
                "responses": {"200": _json({"type": "object", "required": ["results"], "properties": {
                    "results": {"type": "array", "items": ref("Classification")}}}),
                    **BAD_INPUT, **AUTH_ERRORS}}},
            "/api/v1/decode": {"post": {
                "summary": "Read QR codes from a photo (plain-HTTP phones).", "operationId": "decode",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["image"],
                    "properties": {"image": {"type": "string", "format": "binary"}}}}}},
                "responses": {"200": _json({"type": "object", "properties": {
                    "codes": {"type": "array", "items": {"type": "string"}}}}),
                    "400": _error("Not an image."), "413": _error("Too large, as a file or decoded."),
                    "429": _error("Too many photos from this device."),
                    "503": _error("Busy reading other photos."), **AUTH_ERRORS}}},
            "/api/v1/gate/search": {"get": {
                "summary": "A gate finds a person by name (Thai or English, partial, tolerant of spelling) or "
                           "phone (4 digits or more); then it checks them in with `attendee` instead of `code`.",
                "operationId": "gateSearch",
                "parameters": [{"name": "q", "in": "query", "required": True,
                                "schema": {"type": "string", "maxLength": 60}}],
                "responses": {"200": _json({"type": "object", "properties": {"results": {"type": "array", "items": {
                    "type": "object", "properties": {
                        "ref": {"type": "string"}, "name": {"type": "string"},
                        "phone_last3": {"type": ["string", "null"]}, "inside": {"type": "boolean"},
                        "by": {"enum": ["name", "phone", "ref"]}}}}}}),
                    **BAD_INPUT, **AUTH_ERRORS, "429": _error("Too many searches from this device.")}}},
            "/api/v1/gate/roster": {"get": {
                "summary": "What a gate phone keeps in memory to name people in offline scans: "
                           "[card serial, reference, first name and initial] per active card, and the "
                           "serials of replaced cards.", "operationId": "gateRoster",
                "responses": {"200": _json({"type": "object", "properties": {
                    "people": {"type": "array", "description": "[serial (integer), reference, short name]",
                               "items": {"type": "array", "minItems": 3, "maxItems": 3}},
                    "revoked": {"type": "array", "items": {"type": "integer"}},
                    "at": {"type": "string", "format": "date-time"}}}), **AUTH_ERRORS}}},
            "/api/v1/stats": {"get": {
                "summary": "Live counts (organiser, api key or dashboard).", "operationId": "stats",
                "responses": {"200": _json(ref("Stats")), **AUTH_ERRORS}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"],
                          "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                         "field": {"type": "string"}}},
                "CheckInBody": {"type": "object", "required": ["nonce"], "properties": {
                    "code": {"type": "string", "maxLength": 512,
                             "description": "QR text or short manual code or national ID (or send `attendee`)"},
                    "attendee": {"type": "string", "maxLength": 64,
                                 "description": "instead of `code`: the reference of a person found by "
                                                "GET /api/v1/gate/search"},
                    "nonce": {"type": "string", "maxLength": 64},
                    "type": {"enum": ["entry", "exit"], "default": "entry"},
                    "scanned_at": {"type": "string", "format": "date-time"},
                    "recommendations": {"type": "boolean", "default": False,
                                        "description": "answer with the booths to visit first (a kiosk); gates leave it out"}}},
                "CheckInResult": {"type": "object", "required": ["status"], "properties": {
                    "status": {"enum": list(CHECKIN_STATUSES)}, "checkin_id": {"type": "integer"},
                    "attendee": {"type": "object", "properties": {"ref": {"type": "string"}, "name": {"type": "string"}}},
                    "first_checkin_at": {"type": "string", "format": "date-time"},
                    "problem": {"enum": list(TYPO_PROBLEMS),
                                "description": "status `mistyped`: what is wrong with the typed code"},
                    "recommendations": {"type": "array", "items": ref("Recommendation")}}},
                "UndoResult": {"type": "object", "required": ["status", "checkin_id", "correction_id"], "properties": {
                    "status": {"enum": ["undone", "already_undone"]}, "checkin_id": {"type": "integer"},
                    "correction_id": {"type": "integer"}, "kind": {"enum": ["entry", "exit"]},
                    "inside": {"type": "boolean", "description": "where the person is now"},
                    "attendee": {"type": ["object", "null"], "properties": {
                        "ref": {"type": "string"}, "name": {"type": "string"}}}}},
                "LeadFields": {"type": "object", "properties": {
                    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 12},
                    "notes": {"type": "string", "maxLength": 2000},
                    "next_step": {"enum": list(NEXT_STEPS)}, "job_ref": {"type": "string", "maxLength": 64},
                    "answers": {"type": "object", "maxProperties": 5,
                                "description": "answers to the booth's questions by question id: text, "
                                               "true/false or one of the choices; null clears one",
                                "additionalProperties": {"type": ["string", "boolean", "null"]}}}},
                "Question": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "label": {"type": "string"}, "kind": {"enum": list(QUESTION_KINDS)},
                    "choices": {"type": "array", "items": {"type": "string"}}}},
                "LeadScanBody": {"allOf": [ref("LeadFields"), {"type": "object", "required": ["code", "nonce"], "properties": {
                    "code": {"type": "string", "maxLength": 512}, "nonce": {"type": "string", "maxLength": 64},
                    "scanned_at": {"type": "string", "format": "date-time"}}}]},
                "LeadEditBody": {"allOf": [ref("LeadFields"), {"type": "object", "required": ["nonce"], "properties": {
                    "nonce": {"type": "string", "maxLength": 64}}}]},
                "LeadResult": {"type": "object", "required": ["status"], "properties": {
                    "status": {"enum": list(LEAD_SCAN_STATUSES)}, "lead_id": {"type": ["integer", "null"]},
                    "candidate": {"type": ["object", "null"]}, "matches": {"type": "array"}, "lead": ref("Lead")}},
                "Lead": {"type": "object", "properties": {
                    "scanned_by": {"type": ["string", "null"], "description": "the name of the phone that first scanned"},
                    "edited_by": {"type": ["string", "null"], "description": "the name of the phone that wrote last"},
                    "answers": {"type": "object"}}},
                "Classification": {"type": "object",
                                   "required": ["title", "isco08", "label_en", "label_th", "confidence"],
                                   "properties": {
                    "title": {"type": "string"}, "isco08": ISCO08,
                    "label_en": {"type": ["string", "null"]}, "label_th": {"type": ["string", "null"]},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "group": {"type": ["string", "null"], "pattern": "^[0-9]{2,4}$",
                              "description": "the most specific ISCO-08 group the classifier is sure of"},
                    "group_confidence": {"type": "number", "minimum": 0, "maximum": 1}}},
                "Recommendation": {"type": "object", "properties": {
                    "booth": {"type": "string"}, "employer": {"type": "string"}, "job_ref": {"type": "string"},
                    "title": {"type": "string"}, "isco08": ISCO08, "score": {"type": "number"},
                    "reasons": {"type": "array", "items": {"type": "string"}}}},
                "Stats": {"type": "object", "properties": {
                    "registered": {"type": "integer"}, "checked_in": {"type": "integer"},
                    "inside": {"type": "integer"}, "leads": {"type": "integer"}, "hired": {"type": "integer"},
                    "per_booth": {"type": "object", "additionalProperties": {"type": "integer"}}}},
            },
        },
    }
