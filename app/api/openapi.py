"""The OpenAPI 3.1 description of the API, written as data; served at /api/v1/openapi.json."""

from ..calls.forms import COMMITMENT_LABELS, QUESTION_LABELS
from ..calls.forms import STATUS_LABELS as CALL_STATUS_LABELS
from ..signups.forms import STATUS_LABELS as SIGNUP_STATUS_LABELS
from ..exports.forms import FORMATS
from ..exports.writers import MEDIA_TYPES
from ..database import MAX_PAGE
from ..fields import LARGEST_ID
from .inputs import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .operations import TOKEN_START

CALL_STATUSES = list(CALL_STATUS_LABELS)
SIGNUP_STATUSES = list(SIGNUP_STATUS_LABELS)
COMMITMENT_KINDS = list(COMMITMENT_LABELS)
QUESTION_KINDS = list(QUESTION_LABELS)
EXPORT_MEDIA_TYPES = sorted({media_type.split(";")[0] for media_type in MEDIA_TYPES.values()})


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    """The schema, or null."""
    kind = schema["type"]
    return {**schema, "type": [kind, "null"] if isinstance(kind, str) else [*kind, "null"]}


TEXT = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
HOURS = {"type": "number", "description": "Hours (exact to the quarter hour for time asked, agreed and logged)."}


def obj(properties, required=None, description=None):
    """An object schema; every property is required unless `required` says otherwise."""
    schema = {"type": "object", "properties": properties,
              "required": list(properties) if required is None else required}
    if description:
        schema["description"] = description
    return schema


def page_of(item):
    return obj({"items": {"type": "array", "items": ref(item)}, "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 0}},
               description="One page of a list, with the total number of items and pages.")


CALL_SUMMARY = {
    "id": ID, "title": TEXT, "summary": TEXT,
    "status": {"type": "string", "enum": CALL_STATUSES,
               "description": "A published call past its deadline shows as closed."},
    "capacity": nullable({"type": "integer", "minimum": 1}),
    "places_left": nullable({"type": "integer", "minimum": 0}), "deadline": MOMENT,
    "commitment_kind": {"type": "string", "enum": COMMITMENT_KINDS}, "commitment_value": NUMBER,
    "start_date": DATE, "end_date": DATE, "needs_manager_agreement": BOOLEAN,
    "audience_all": {"type": "boolean", "description": "Open to every agent (else to chosen units)."},
    "my_status": nullable({"type": "string", "enum": SIGNUP_STATUSES,
                           "description": "The status of my live sign-up to this call, if any."}),
    "signup_counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                      "description": "Sign-ups per status: for the lab only."},
}
QUESTION = obj({"id": ID, "kind": {"type": "string", "enum": QUESTION_KINDS}, "label": TEXT, "help_text": TEXT,
                "required": BOOLEAN, "choices": {"type": "array", "items": TEXT}, "min_value": nullable(NUMBER),
                "max_value": nullable(NUMBER)})
CALL = obj({**CALL_SUMMARY, "body": {"type": "string", "description": "Markdown, as written by the lab."},
            "contact": TEXT, "audience_unit_ids": {"type": "array", "items": ID}, "published_at": nullable(MOMENT),
            "closed_at": nullable(MOMENT), "questions": {"type": "array", "items": ref("Question")}},
           required=[name for name in [*CALL_SUMMARY, "body", "contact", "audience_unit_ids", "published_at",
                                        "closed_at", "questions"] if name != "signup_counts"])
CALL_INPUT_PROPERTIES = {
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "summary": {"type": "string", "minLength": 1, "maxLength": 500},
    "body": {"type": "string", "maxLength": 20000, "description": "Markdown."},
    "capacity": nullable({"type": "integer", "minimum": 1, "maximum": 10000, "description": "null: no limit."}),
    "deadline": {**MOMENT, "description": "When sign-ups close, in the future (to the minute). Without an offset: "
                                          "local time of the intranet (ALLIES_TIMEZONE)."},
    "audience_unit_ids": {"type": "array", "items": ID,
                          "description": "Org units (their sub-units included) the call is for; empty: every agent."},
    "commitment_kind": {"type": "string", "enum": COMMITMENT_KINDS},
    "commitment_value": {"type": "number", "exclusiveMinimum": 0, "maximum": 1607,
                         "description": "At most: 100 percent, 140 hours or 20 days per month, 1,607 hours in total."},
    "start_date": DATE, "end_date": DATE,
    "needs_manager_agreement": {"type": "boolean", "default": True},
    "contact": {"type": "string", "maxLength": 200},
}
ANSWER_VALUE = {"type": ["string", "number", "boolean", "array"], "items": TEXT,
                "description": "Text, a choice, a list of choices, yes/no (or true/false), a number, or a date."}
MY_SIGNUP = obj({"id": ID, "call": obj({"id": ID, "title": TEXT}),
                 "status": {"type": "string", "enum": SIGNUP_STATUSES}, "hours_asked": HOURS,
                 "submitted_at": MOMENT, "status_changed_at": MOMENT,
                 "waitlist_rank": nullable({"type": "integer", "minimum": 1}), "decline_reason": nullable(TEXT),
                 "can_withdraw": BOOLEAN})
AGENT = obj({"id": ID, "login": TEXT, "given_name": TEXT, "family_name": TEXT, "email": TEXT,
             "org_unit": nullable({"type": "string", "description": "The org unit's full path."})})
LAB_SIGNUP = obj({"id": ID, "call_id": ID, "agent": ref("Agent"), "status": {"type": "string", "enum": SIGNUP_STATUSES},
                  "hours_asked": HOURS, "submitted_at": MOMENT, "status_changed_at": MOMENT,
                  "waitlist_rank": nullable({"type": "integer", "minimum": 1}), "motivation": TEXT,
                  "availability": TEXT,
                  "answers": {"type": "array", "items": obj({
                      "question_id": nullable(ID), "label": TEXT, "kind": {"type": "string", "enum": QUESTION_KINDS},
                      "value": {"type": ["string", "number", "boolean", "array", "null"]}})},
                  "decline_reason": nullable(TEXT)})
PENDING_REQUEST_PROPERTIES = {
    "signup_id": ID, "status": {"type": "string", "enum": SIGNUP_STATUSES}, "agent": ref("Agent"),
    "call": obj({"id": ID, "title": TEXT, "start_date": DATE, "end_date": DATE}), "hours_asked": HOURS,
    "submitted_at": MOMENT, "manager_asked_at": nullable(MOMENT), "hours_allocated_this_year": HOURS,
}
BUDGET = obj({
    "year": INTEGER, "working_hours": {**HOURS, "description": "What the agent works in the year (1,607 h × quotity)."},
    "hours_logged": HOURS,
    "allocations": {"type": "array", "items": obj({
        "allocation_id": ID, "call": obj({"id": ID, "title": TEXT}), "hours": HOURS, "used": HOURS,
        "remaining": HOURS, "pace": {**HOURS, "description": "What a steady use since the start reaches today."},
        "level": {"type": "string", "enum": ["ok", "warning", "full"]}, "start_date": DATE, "end_date": DATE,
        "running": BOOLEAN})},
    "months": {"type": "array", "items": obj({"month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                                              "hours": HOURS})},
})
TIME_ENTRY = obj({"id": ID, "allocation_id": ID, "day": DATE, "hours": HOURS, "note": TEXT, "created_at": MOMENT,
                  "can_change": {"type": "boolean", "description": "Entries of the current month can change."},
                  "budget_reached": nullable({"type": "number", "enum": [0.8, 1],
                                              "description": "The share of the budget this entry took it past."})})
EXTENSION_PROPERTIES = {
    "id": ID, "allocation_id": ID, "extra_hours": HOURS, "new_end_date": nullable(DATE),
    "note": {"type": "string", "description": "Why the agent needs it; their manager reads it."},
    "status": {"type": "string", "enum": ["pending", "approved", "refused", "cancelled"]}, "submitted_at": MOMENT,
}
PENDING_EXTENSION_PROPERTIES = {
    **EXTENSION_PROPERTIES, "agent": ref("Agent"), "call": obj({"id": ID, "title": TEXT}),
    "allocation": obj({"hours": HOURS, "used": {**HOURS, "description": "Hours logged so far."},
                       "start_date": DATE, "end_date": DATE}),
}
PROBLEM = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "about:blank for plain HTTP errors; "
                                                  "urn:allies:problem:invalid-input (422, see errors) or "
                                                  "urn:allies:problem:refused (409, a rule of the domain)."},
        "title": TEXT, "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong, in the agent's language."},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": TEXT},
                   "description": "Messages per input field (422)."},
    },
}

SCHEMAS = {
    "Problem": PROBLEM,
    "CallSummary": obj(CALL_SUMMARY, required=[name for name in CALL_SUMMARY if name != "signup_counts"]),
    "Call": CALL,
    "Question": QUESTION,
    "CallInput": obj(CALL_INPUT_PROPERTIES, required=["title", "summary", "deadline", "commitment_kind",
                                                      "commitment_value", "start_date", "end_date"]),
    "CallChanges": obj(CALL_INPUT_PROPERTIES, required=[],
                       description="The fields to change; the others keep their value."),
    "SignUpInput": obj({
        "motivation": {"type": "string", "minLength": 1, "maxLength": 5000,
                       "description": "Do not write anything about health, union membership, political or "
                                      "religious opinions."},
        "hours_asked": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.25,
                        "description": "Hours over the call's period; left out: the call's proposal for my quotity."},
        "availability": {"type": "string", "maxLength": 2000},
        "answers": {"type": "object", "additionalProperties": ANSWER_VALUE,
                    "description": "Answers to the call's questions, keyed by question id."},
    }, required=["motivation"]),
    "MySignUp": MY_SIGNUP,
    "Agent": AGENT,
    "LabSignUp": LAB_SIGNUP,
    "DeclineInput": obj({"reason": {"type": "string", "minLength": 1, "maxLength": 2000}}),
    "PendingRequest": obj(PENDING_REQUEST_PROPERTIES),
    "DecisionInput": obj({
        "outcome": {"type": "string", "enum": ["approve", "approve_less", "refuse"]},
        "hours": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.25,
                  "description": "With approve_less: the hours agreed, fewer than asked."},
        "reason": {"type": "string", "maxLength": 2000, "description": "Required with refuse; the agent reads it."},
    }, required=["outcome"]),
    "Decision": obj({**PENDING_REQUEST_PROPERTIES, "hours_agreed": nullable(HOURS)}),
    "Budget": BUDGET,
    "TimeEntryInput": obj({
        "day": {**DATE, "description": "Inside the allocation's period, not after today."},
        "hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 24, "multipleOf": 0.25},
        "note": {"type": "string", "maxLength": 500},
    }, required=["day", "hours"]),
    "TimeEntry": TIME_ENTRY,
    "ExtensionInput": obj({
        "extra_hours": {"type": "number", "minimum": 0, "multipleOf": 0.25,
                        "description": "Hours to add, at most the working time left over the period."},
        "new_end_date": {**DATE, "description": "A later end, at most a year after the current one."},
        "note": {"type": "string", "maxLength": 1000},
    }, required=[], description="More hours, a later end, or both."),
    "Extension": obj(EXTENSION_PROPERTIES),
    "PendingExtension": obj(PENDING_EXTENSION_PROPERTIES),
    "ExtensionDecision": obj({**PENDING_EXTENSION_PROPERTIES, "hours_agreed": nullable(HOURS)}),
    **{f"{name}Page": page_of(name) for name in ("CallSummary", "MySignUp", "LabSignUp", "PendingRequest",
                                                  "PendingExtension", "TimeEntry")},
}

PROBLEM_TEXTS = {
    "400": "The body cannot be read as a JSON object.",
    "401": "No valid personal token (missing, unknown, revoked, or its owner deactivated).",
    "403": "The agent's role does not allow this.",
    "404": "Not found, or not the agent's to see.",
    "409": "A rule refuses the change as things stand (the detail says which).",
    "415": "The body is not application/json.",
    "422": "Missing or wrong values: `errors` gives the messages per field.",
    "429": "Too many requests with this token (ALLIES_API_RATE_LIMIT).",
}
PROBLEM_HEADERS = {
    "401": {"WWW-Authenticate": {"schema": TEXT, "description": 'Bearer realm="allies"'}},
    "429": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait."}},
}


def problems(*codes):
    """The problem responses of an operation (401, 422 and 429 for every one)."""
    answers = {}
    for code in sorted({"401", "422", "429", *codes}):
        answer = {"description": PROBLEM_TEXTS[code],
                  "content": {"application/problem+json": {"schema": ref("Problem")}}}
        if code in PROBLEM_HEADERS:
            answer["headers"] = PROBLEM_HEADERS[code]
        answers[code] = answer
    return answers


def json_content(schema):
    return {"application/json": {"schema": schema}}


def answer(description, schema, **extra):
    return {"description": description, "content": json_content(schema), **extra}


def body(schema_name):
    return {"required": True, "content": json_content(ref(schema_name))}


def query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def path(name, description):
    return {"name": name, "in": "path", "required": True, "schema": ID, "description": description}


PAGING = [query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number."),
          query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
                "Items per page.")]
CALL_ID = path("call_id", "A call.")
SIGNUP_ID = path("signup_id", "A sign-up.")
ALLOCATION_ID = path("allocation_id", "One of my allocations.")
EXTENSION_ID = path("extension_id", "An extension request.")
LOCATION = {"Location": {"schema": TEXT, "description": "Where to read what was created."}}


def operation(operation_id, tag, summary, responses, parameters=(), request_body=None, description=None):
    spec = {"operationId": operation_id, "tags": [tag], "summary": summary, "responses": responses}
    if description:
        spec["description"] = description
    if parameters:
        spec["parameters"] = list(parameters)
    if request_body:
        spec["requestBody"] = request_body
    return spec


PATHS = {
    "/calls": {
        "get": operation("listCalls", "calls", "Open calls meant for me, or every call for the lab", {
            "200": answer("A page of calls, soonest deadline first (scope=open) or newest first (scope=lab).",
                          ref("CallSummaryPage")), **problems("403")}, [
            query("scope", {"type": "string", "enum": ["open", "lab"], "default": "open"},
                  "open: the calls I may sign up to; lab: every call (lab role)."),
            query("q", {"type": "string", "maxLength": 100}, "Words of the title or summary (scope=open)."),
            query("kind", {"type": "string", "enum": ["", *COMMITMENT_KINDS]}, "Kind of time asked (scope=open)."),
            query("status", {"type": "string", "enum": ["", *CALL_STATUSES]},
                  "Status (scope=lab; archives only when asked)."),
            *PAGING]),
        "post": operation("createCall", "calls", "Write a new call, saved as a draft (lab)", {
            "201": answer("The draft call.", ref("Call"), headers=LOCATION), **problems("400", "403", "415")},
            request_body=body("CallInput")),
    },
    "/calls/{call_id}": {
        "get": operation("getCall", "calls", "One call with its questions", {
            "200": answer("The call (the lab sees every call; agents the published or closed ones meant for them).",
                          ref("Call")), **problems("404")}, [CALL_ID]),
        "patch": operation("updateCall", "calls", "Change a call (lab)", {
            "200": answer("The call as changed; the audit log keeps each change.", ref("Call")),
            **problems("400", "403", "404", "415")}, [CALL_ID], body("CallChanges"),
            "Archived calls cannot change (403). A capacity below the places already held is refused (422); a "
            "higher one gives the new places to the waiting list at once."),
    },
    "/calls/{call_id}/publish": {
        "post": operation("publishCall", "calls", "Publish a draft or a call closed by hand (lab)", {
            "200": answer("The published call.", ref("Call")), **problems("403", "404", "409")}, [CALL_ID]),
    },
    "/calls/{call_id}/close": {
        "post": operation("closeCall", "calls", "Stop sign-ups to a published call (lab)", {
            "200": answer("The closed call.", ref("Call")), **problems("403", "404", "409")}, [CALL_ID]),
    },
    "/calls/{call_id}/sign-ups": {
        "post": operation("createSignUp", "sign-ups", "Sign up to an open call", {
            "201": answer("The new sign-up: pending the manager, approved (no agreement needed) or waitlisted.",
                          ref("MySignUp")),
            "200": answer("I had already signed up: my live sign-up, unchanged.", ref("MySignUp")),
            **problems("400", "404", "409", "415")}, [CALL_ID], body("SignUpInput")),
        "get": operation("listCallSignUps", "sign-ups", "A call's sign-ups with motivation and answers (lab)", {
            "200": answer("A page of sign-ups, in submission order.", ref("LabSignUpPage")),
            **problems("403", "404")}, [
            CALL_ID, query("status", {"type": "string", "enum": ["", *SIGNUP_STATUSES]}, "Status."),
            query("unit", {"type": "string", "maxLength": 1000}, "Org unit path (sub-units included)."),
            query("q", {"type": "string", "maxLength": 100}, "Agent's name, login or e-mail."), *PAGING]),
    },
    "/me/sign-ups": {
        "get": operation("listMySignUps", "sign-ups", "My sign-ups", {
            "200": answer("A page of my sign-ups, newest first.", ref("MySignUpPage")), **problems()}, PAGING),
    },
    "/me/sign-ups/{signup_id}/withdraw": {
        "post": operation("withdrawSignUp", "sign-ups", "Withdraw one of my live sign-ups", {
            "200": answer("The withdrawn sign-up; a place freed goes to the waiting list.", ref("MySignUp")),
            **problems("404", "409")}, [SIGNUP_ID]),
    },
    "/sign-ups/{signup_id}/decline": {
        "post": operation("declineSignUp", "sign-ups", "Decline a live sign-up with a reason (lab)", {
            "200": answer("The declined sign-up; the agent receives the reason.", ref("LabSignUp")),
            **problems("400", "403", "404", "409", "415")}, [SIGNUP_ID], body("DeclineInput")),
    },
    "/approvals": {
        "get": operation("listPendingApprovals", "approvals", "Requests I decide on", {
            "200": answer("A page of requests, oldest first: agent, call, period, time asked — never the "
                          "motivation or the answers.", ref("PendingRequestPage")), **problems()}, PAGING),
    },
    "/approvals/{signup_id}": {
        "post": operation("decideApproval", "approvals", "Agree to the time asked, to less, or refuse", {
            "200": answer("The decision; an approval creates the volunteer's allocation.", ref("Decision")),
            **problems("400", "404", "409", "415")}, [SIGNUP_ID], body("DecisionInput"),
            "Only the agent's manager, the deputy they named, the manager's own manager once the request is "
            "escalated, or the fallback role for agents without a manager decide (404 for anyone else)."),
    },
    "/approvals/extensions": {
        "get": operation("listPendingExtensions", "approvals", "Extension requests I decide on", {
            "200": answer("A page of extension requests, oldest first, with the allocation and its use.",
                          ref("PendingExtensionPage")), **problems()}, PAGING),
    },
    "/approvals/extensions/{extension_id}": {
        "post": operation("decideExtension", "approvals", "Agree to an extension, to fewer hours, or refuse", {
            "200": answer("The decision; an approval adds the hours and moves the end of the allocation.",
                          ref("ExtensionDecision")),
            **problems("400", "404", "409", "415")}, [EXTENSION_ID], body("DecisionInput"),
            "Decided by the agent's manager, the deputy they named, or the fallback role for agents without a "
            "manager (404 for anyone else). approve_less agrees to fewer extra hours than asked; a request for a "
            "later end only has no hours to lessen (422 on outcome)."),
    },
    "/me/budget": {
        "get": operation("getMyBudget", "budgets", "My time budget of a year", {
            "200": answer("My allocations touching the year, with use and pace, and the hours logged each month.",
                          ref("Budget")), **problems()}, [
            query("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "The year (this year by default).")]),
    },
    "/me/budget/allocations/{allocation_id}/time-entries": {
        "post": operation("createTimeEntry", "budgets", "Log time against one of my allocations", {
            "201": answer("The entry.", ref("TimeEntry"), headers=LOCATION),
            **problems("400", "404", "409", "415")}, [ALLOCATION_ID], body("TimeEntryInput"),
            "An entry that would take the budget past 100 % is refused (422 on hours): ask for an extension."),
        "get": operation("listTimeEntries", "budgets", "The time logged on one of my allocations", {
            "200": answer("A page of entries, newest first.", ref("TimeEntryPage")), **problems("404")},
            [ALLOCATION_ID, *PAGING]),
    },
    "/me/budget/allocations/{allocation_id}/extensions": {
        "post": operation("requestExtension", "budgets", "Ask my manager for more hours or a later end", {
            "201": answer("The request, pending my manager's decision.", ref("Extension")),
            **problems("400", "404", "409", "415")}, [ALLOCATION_ID], body("ExtensionInput"),
            "One request may wait per allocation (409 while one does); a running allocation only."),
    },
    "/volunteers/export": {
        "post": operation("exportVolunteers", "exports", "The volunteer list as a file (lab)", {
            "200": {"description": "The file, streamed, named on the server (Content-Disposition).",
                    "content": {media_type: {"schema": {"type": "string", "contentMediaType": media_type}}
                                for media_type in EXPORT_MEDIA_TYPES}},
            **problems("403")}, [
            query("format", {"type": "string", "enum": list(FORMATS), "default": "ods"},
                  "ods, xlsx, csv (semicolons, decimal commas) or csv_comma."),
            {**query("call", {"type": "array", "items": ID}, "Calls (none: every call)."), "style": "form",
             "explode": True},
            {**query("status", {"type": "array", "items": {"type": "string", "enum": SIGNUP_STATUSES}}, "Statuses."),
             "style": "form", "explode": True},
            query("unit", {"type": "string", "maxLength": 1000}, "Org unit path (sub-units included)."),
            query("submitted_from", DATE, "Sent from this day."),
            query("submitted_to", DATE, "Sent until this day."),
            query("q", {"type": "string", "maxLength": 100}, "Agent's name."),
        ], description="The same rows, columns and order as the lab's page and its download; the export is "
                       "recorded in the audit log (who, format, filters, rows)."),
    },
}

DESCRIPTION = f"""The JSON API of Alliés for the intranet's other systems. It works with the same rules and rights as
the pages: a call is read, a sign-up made, a request decided exactly as on screen.

**Authentication.** Every operation needs a personal token in the header `Authorization: Bearer <token>`
(tokens start with `{TOKEN_START}`). An agent creates one on « My API tokens » (/my/tokens) or an administrator
with `flask tokens create LOGIN`; it acts with its owner's rights and stops working when revoked or when its
owner is deactivated. A session cookie never opens the API. This description itself is public.

**Errors** are RFC 9457 problem details (`application/problem+json`), with `errors` per field on 422.
**Lists** are paged with `page` and `per_page` (at most {MAX_PER_PAGE}). **Rate limit**: per token, set by
ALLIES_API_RATE_LIMIT; beyond it, 429 with Retry-After."""

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Alliés API", "version": "1.0.0", "description": DESCRIPTION,
             "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "tags": [{"name": "calls"}, {"name": "sign-ups"}, {"name": "approvals"}, {"name": "budgets"},
             {"name": "exports"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A personal API token (allies_…)."}},
    },
}


def openapi_document(api_root="/api/v1"):
    """The description, with the API's address as this app serves it (under a host's prefix, if any)."""
    return {**DOCUMENT, "servers": [{"url": api_root}]}
