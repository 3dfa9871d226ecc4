"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json: the operations, assembled by apispec
with the schemas that read and answer them (schemas.py)."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..exports.writers import MEDIA_TYPES
from .operations import TOKEN_START
from .schemas import (
    ID,
    MAX_PER_PAGE,
    PAGES,
    BudgetQuerySchema,
    BudgetSchema,
    CallInputSchema,
    CallSchema,
    CallSignUpsQuerySchema,
    CallSummarySchema,
    DecisionInputSchema,
    DecisionSchema,
    DeclineInputSchema,
    ExportQuerySchema,
    ExtensionDecisionSchema,
    ExtensionInputSchema,
    ExtensionSchema,
    LabSignUpSchema,
    ListCallsQuerySchema,
    MySignUpSchema,
    PagingSchema,
    PendingExtensionSchema,
    PendingRequestSchema,
    ProblemSchema,
    SignUpInputSchema,
    TimeEntryInputSchema,
    TimeEntrySchema,
)

EXPORT_MEDIA_TYPES = sorted({media_type.split(";")[0] for media_type in MEDIA_TYPES.values()})
TEXT = {"type": "string"}
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
                  "content": {"application/problem+json": {"schema": "Problem"}}}
        if code in PROBLEM_HEADERS:
            answer["headers"] = PROBLEM_HEADERS[code]
        answers[code] = answer
    return answers


def answer(description, schema, **extra):
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def query(schema):
    """The query parameters a schema declares (expanded by apispec, one per field)."""
    return {"in": "query", "schema": schema}


def path(name, description):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", **ID},
            "description": description}


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
                          PAGES[CallSummarySchema]), **problems("403")}, [query(ListCallsQuerySchema)]),
        "post": operation("createCall", "calls", "Write a new call, saved as a draft (lab)", {
            "201": answer("The draft call.", CallSchema, headers=LOCATION), **problems("400", "403", "415")},
            request_body=body(CallInputSchema)),
    },
    "/calls/{call_id}": {
        "get": operation("getCall", "calls", "One call with its questions", {
            "200": answer("The call (the lab sees every call; agents the published or closed ones meant for them).",
                          CallSchema), **problems("404")}, [CALL_ID]),
        "patch": operation("updateCall", "calls", "Change a call (lab)", {
            "200": answer("The call as changed; the audit log keeps each change.", CallSchema),
            **problems("400", "403", "404", "415")}, [CALL_ID], body("CallChanges"),
            "Archived calls cannot change (403). A capacity below the places already held is refused (422); a "
            "higher one gives the new places to the waiting list at once."),
    },
    "/calls/{call_id}/publish": {
        "post": operation("publishCall", "calls", "Publish a draft or a call closed by hand (lab)", {
            "200": answer("The published call.", CallSchema), **problems("403", "404", "409")}, [CALL_ID]),
    },
    "/calls/{call_id}/close": {
        "post": operation("closeCall", "calls", "Stop sign-ups to a published call (lab)", {
            "200": answer("The closed call.", CallSchema), **problems("403", "404", "409")}, [CALL_ID]),
    },
    "/calls/{call_id}/sign-ups": {
        "post": operation("createSignUp", "sign-ups", "Sign up to an open call", {
            "201": answer("The new sign-up: pending the manager, approved (no agreement needed) or waitlisted.",
                          MySignUpSchema),
            "200": answer("I had already signed up: my live sign-up, unchanged.", MySignUpSchema),
            **problems("400", "404", "409", "415")}, [CALL_ID], body(SignUpInputSchema)),
        "get": operation("listCallSignUps", "sign-ups", "A call's sign-ups with motivation and answers (lab)", {
            "200": answer("A page of sign-ups, in submission order.", PAGES[LabSignUpSchema]),
            **problems("403", "404")}, [
            CALL_ID, query(CallSignUpsQuerySchema)]),
    },
    "/me/sign-ups": {
        "get": operation("listMySignUps", "sign-ups", "My sign-ups", {
            "200": answer("A page of my sign-ups, newest first.", PAGES[MySignUpSchema]), **problems()}, [query(PagingSchema)]),
    },
    "/me/sign-ups/{signup_id}/withdraw": {
        "post": operation("withdrawSignUp", "sign-ups", "Withdraw one of my live sign-ups", {
            "200": answer("The withdrawn sign-up; a place freed goes to the waiting list.", MySignUpSchema),
            **problems("404", "409")}, [SIGNUP_ID]),
    },
    "/sign-ups/{signup_id}/decline": {
        "post": operation("declineSignUp", "sign-ups", "Decline a live sign-up with a reason (lab)", {
            "200": answer("The declined sign-up; the agent receives the reason.", LabSignUpSchema),
            **problems("400", "403", "404", "409", "415")}, [SIGNUP_ID], body(DeclineInputSchema)),
    },
    "/approvals": {
        "get": operation("listPendingApprovals", "approvals", "Requests I decide on", {
            "200": answer("A page of requests, oldest first: agent, call, period, time asked — never the "
                          "motivation or the answers.", PAGES[PendingRequestSchema]), **problems()}, [query(PagingSchema)]),
    },
    "/approvals/{signup_id}": {
        "post": operation("decideApproval", "approvals", "Agree to the time asked, to less, or refuse", {
            "200": answer("The decision; an approval creates the volunteer's allocation.", DecisionSchema),
            **problems("400", "404", "409", "415")}, [SIGNUP_ID], body(DecisionInputSchema),
            "Only the agent's manager, the deputy they named, the manager's own manager once the request is "
            "escalated, or the fallback role for agents without a manager decide (404 for anyone else)."),
    },
    "/approvals/extensions": {
        "get": operation("listPendingExtensions", "approvals", "Extension requests I decide on", {
            "200": answer("A page of extension requests, oldest first, with the allocation and its use.",
                          PAGES[PendingExtensionSchema]), **problems()}, [query(PagingSchema)]),
    },
    "/approvals/extensions/{extension_id}": {
        "post": operation("decideExtension", "approvals", "Agree to an extension, to fewer hours, or refuse", {
            "200": answer("The decision; an approval adds the hours and moves the end of the allocation.",
                          ExtensionDecisionSchema),
            **problems("400", "404", "409", "415")}, [EXTENSION_ID], body(DecisionInputSchema),
            "Decided by the agent's manager, the deputy they named, or the fallback role for agents without a "
            "manager (404 for anyone else). approve_less agrees to fewer extra hours than asked; a request for a "
            "later end only has no hours to lessen (422 on outcome)."),
    },
    "/me/budget": {
        "get": operation("getMyBudget", "budgets", "My time budget of a year", {
            "200": answer("My allocations touching the year, with use and pace, and the hours logged each month.",
                          BudgetSchema), **problems()}, [
            query(BudgetQuerySchema)]),
    },
    "/me/budget/allocations/{allocation_id}/time-entries": {
        "post": operation("createTimeEntry", "budgets", "Log time against one of my allocations", {
            "201": answer("The entry.", TimeEntrySchema, headers=LOCATION),
            **problems("400", "404", "409", "415")}, [ALLOCATION_ID], body(TimeEntryInputSchema),
            "An entry that would take the budget past 100 % is refused (422 on hours): ask for an extension."),
        "get": operation("listTimeEntries", "budgets", "The time logged on one of my allocations", {
            "200": answer("A page of entries, newest first.", PAGES[TimeEntrySchema]), **problems("404")},
            [ALLOCATION_ID, query(PagingSchema)]),
    },
    "/me/budget/allocations/{allocation_id}/extensions": {
        "post": operation("requestExtension", "budgets", "Ask my manager for more hours or a later end", {
            "201": answer("The request, pending my manager's decision.", ExtensionSchema),
            **problems("400", "404", "409", "415")}, [ALLOCATION_ID], body(ExtensionInputSchema),
            "One request may wait per allocation (409 while one does); a running allocation only."),
    },
    "/volunteers/export": {
        "post": operation("exportVolunteers", "exports", "The volunteer list as a file (lab)", {
            "200": {"description": "The file, streamed, named on the server (Content-Disposition).",
                    "content": {media_type: {"schema": {"type": "string", "contentMediaType": media_type}}
                                for media_type in EXPORT_MEDIA_TYPES}},
            **problems("403")}, [query(ExportQuerySchema)],
            description="The same rows, columns and order as the lab's page and its download; the export is "
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


def build_document():
    """The description, assembled once from the operations and their schemas."""
    spec = APISpec(title="Alliés API", version="1.0.0", openapi_version="3.1.0", plugins=[MarshmallowPlugin()],
                   info={"description": DESCRIPTION, "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}},
                   servers=[{"url": "/api/v1"}], security=[{"bearerAuth": []}],
                   tags=[{"name": name} for name in ("calls", "sign-ups", "approvals", "budgets", "exports")])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "A personal API token (allies_…)."})
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.schema("CallChanges", schema=CallInputSchema(partial=True),
                           component={"description": "The fields to change; the others keep their value."})
    for template, operations in PATHS.items():
        spec.path(path=template, operations=operations)
    return spec.to_dict()


DOCUMENT = build_document()


def openapi_document(api_root="/api/v1"):
    """The description, with the API's address as this app serves it (under a host's prefix, if any)."""
    return {**DOCUMENT, "servers": [{"url": api_root}]}
