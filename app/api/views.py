"""The JSON API at /api/v1: the pages' own access rules and operations, for the intranet's other systems.

Every view loads its objects with the pages' loaders, checks access the pages' way, feeds the pages' forms
from JSON and calls the same operation; only the answer differs (JSON, problem+json on errors).
"""

from datetime import date

from flask import Blueprint, abort, current_app, json, request, stream_with_context, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..approvals.forms import DecisionForm
from ..approvals.loaders import get_extension_for_approver, get_request_for_approver
from ..approvals.operations import decide_on
from ..approvals.queries import allocated_this_year, pending_extensions_for, pending_for
from ..auth.access import login_required, public, role_required
from ..auth.identity import current_agent
from ..budgets.forms import ExtensionForm, TimeEntryForm, YearForm
from ..budgets.loaders import get_own_allocation
from ..budgets.operations import can_change, log_time, request_extension
from ..budgets.queries import allocations_of, budgets, entries_of, monthly_use, used_hours
from ..budgets.working_time import hours_to_propose, working_hours
from ..calls.forms import CallForm, CallSearchForm
from ..calls.loaders import get_call_for_agent, get_call_for_lab
from ..calls.operations import close, create_call, publish, update_call
from ..calls.queries import calls_for_lab, live_statuses_of, open_calls_page, status_counts
from ..clock import local_today
from ..database import paginate
from ..directory.queries import units_in_tree_order
from ..exports.forms import ExportForm
from ..exports.loaders import volunteer_filters
from ..exports.operations import export_volunteers
from ..extensions import csrf, limiter
from ..main.responses import download
from ..signups.forms import DeclineForm, SignUpFilterForm, signup_form_for
from ..signups.loaders import get_own_signup, get_signup_for_lab
from ..signups.models import SignUpStatus
from ..signups.operations import decline, live_signup, sign_up, waitlist_rank, withdraw
from ..signups.queries import signups_of_agent, signups_of_call, waitlist_ranks
from .auth import rate_limit, rate_limit_key, require_token
from .inputs import check_query_string, form_from_json, json_body, page_args, read, validated
from .openapi import openapi_document as build_openapi_document
from .problems import InvalidInput, register_problem_handlers, unrouted_problem
from .schemas import (
    ANSWER_FIELDS,
    PAGES,
    BudgetSchema,
    CallInputSchema,
    CallSchema,
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
    PendingExtensionSchema,
    PendingRequestSchema,
    Shown,
    SignUpInputSchema,
    TimeEntryInputSchema,
    TimeEntrySchema,
    page_of,
)

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # no cookie opens the API, so there is no cross-site request to forge
limiter.limit(rate_limit, key_func=rate_limit_key)(bp)
register_problem_handlers(bp)


def api_root():
    """Where the API lives in this app's paths: /api/v1, under ALLIES_URL_PREFIX in a host intranet."""
    return current_app.config.get("ALLIES_URL_PREFIX", "").rstrip("/") + PREFIX


bp.before_app_request(unrouted_problem(api_root))
PUBLIC_ENDPOINTS = {"allies.api.openapi_document"}


@bp.before_request
def authenticate():
    """Only a bearer token opens the API; the query string is checked once for every view."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        require_token()
    check_query_string()


def json_answer(data, status=200, location=None):
    """A JSON answer (with a Location for what was created)."""
    response = current_app.response_class(json.dumps(data, ensure_ascii=False), status=status,
                                          mimetype="application/json")
    if location:
        response.headers["Location"] = location
    return response


def page_of_query(query, item_schema, represent=list):
    """The page the query string asks for of `query`, its items shown by `item_schema`; `represent(rows)` gives
    what each row shows beside its columns (so what they need is read once for the page)."""
    page_number, per_page = page_args()
    page = paginate(query, page_number, per_page)
    return PAGES[item_schema]().dump(page_of(represent(page.items), page_number, per_page, page.total))


def my_signup(signup, agent, rank=None):
    """One of `agent`'s own sign-ups, with its rank on the waiting list."""
    return MySignUpSchema().dump(Shown(signup, waitlist_rank=rank, can_withdraw=signup.can_withdraw(agent)))


def call_detail(call, my_status=None, counts=None):
    """A call with its description, contact, audience and questions (`counts`: sign-ups per status, for the lab)."""
    extra = {"signup_counts": counts} if counts is not None else {}
    return CallSchema().dump(Shown(call, my_status=my_status, **extra))


# ---- the public description ------------------------------------------------------------------------------

@bp.route("/openapi.json")
@public
def openapi_document():
    """The OpenAPI 3.1 description of this API (public: it holds no data)."""
    return json_answer(build_openapi_document(request.script_root + api_root()))


# ---- calls ------------------------------------------------------------------------------------------------

@bp.route("/calls", endpoint="listCalls")
@login_required
def list_calls():
    """listCalls: the open calls meant for me (scope=open), or every call for the lab (scope=lab)."""
    agent = current_agent()
    query = read(ListCallsQuerySchema(), request.args)
    if query["scope"] == "lab":
        if not agent.has_role("lab"):
            abort(403)
        page = paginate(calls_for_lab(query.get("status", "")), query["page"], query["per_page"])
        counts = status_counts([call.id for call in page.items])
        items = [Shown(call, signup_counts=counts[call.id]) for call in page.items]
    else:
        filters = validated(CallSearchForm(request.args)).valid_filters()
        page = open_calls_page(agent, query["page"], query["per_page"], **filters)
        items = [Shown(call, my_status=page.statuses.get(call.id)) for call in page.items]
    return json_answer(PAGES[CallSummarySchema]().dump(page_of(items, query["page"], query["per_page"], page.total)))


def _call_for(agent, call_id):
    """The call with the pages' loader: the lab's (any call) for lab members, else the agents' (open ones
    meant for them)."""
    return get_call_for_lab(call_id) if agent.has_role("lab") else get_call_for_agent(call_id)


@bp.route("/calls/<int:call_id>", endpoint="getCall")
@login_required
def get_call(call_id):
    """getCall: one call, with its questions."""
    agent = current_agent()
    call = _call_for(agent, call_id)
    counts = status_counts([call.id])[call.id] if agent.has_role("lab") else None
    return json_answer(call_detail(call, my_status=live_statuses_of(agent, [call]).get(call.id), counts=counts))


def _call_form(values, call=None):
    """The lab's call form, fed with JSON values and validated."""
    return form_from_json(CallForm, CallInputSchema(), values, units=units_in_tree_order(),
                          current_deadline=call.deadline if call else None)


def _current_values(call):
    """A call's values as the API shows them, limited to those it takes."""
    shown = CallSchema().dump(Shown(call, my_status=None))
    return {name: shown[name] for name in CallInputSchema().json_names().values() if name in shown}


@bp.route("/calls", methods=["POST"], endpoint="createCall")
@role_required("lab")
def new_call():
    """createCall: a new draft call (lab)."""
    form = _call_form({"needs_manager_agreement": True, **json_body()})
    call = create_call(current_agent(), audience_units=form.chosen_units(), **form.call_fields())
    return json_answer(call_detail(call, counts={}), 201, url_for("allies.api.getCall", call_id=call.id))


@bp.route("/calls/<int:call_id>", methods=["PATCH"], endpoint="updateCall")
@role_required("lab")
def edit_call(call_id):
    """updateCall: change the fields given, keep the others (lab); archived calls are frozen."""
    call = get_call_for_lab(call_id)
    if not call.can_edit():
        abort(403)
    form = _call_form({**_current_values(call), **json_body()}, call)
    update_call(call, current_agent(), audience_units=form.chosen_units(), **form.call_fields())
    return json_answer(call_detail(call, counts=status_counts([call.id])[call.id]))


def _change_status(call_id, change):
    call = get_call_for_lab(call_id)
    change(call, current_agent())
    return json_answer(call_detail(call, counts=status_counts([call.id])[call.id]))


@bp.route("/calls/<int:call_id>/publish", methods=["POST"], endpoint="publishCall")
@role_required("lab")
def publish_call(call_id):
    """publishCall: put a draft (or a call closed by hand) on the intranet (lab)."""
    return _change_status(call_id, publish)


@bp.route("/calls/<int:call_id>/close", methods=["POST"], endpoint="closeCall")
@role_required("lab")
def close_call(call_id):
    """closeCall: stop sign-ups (lab)."""
    return _change_status(call_id, close)


# ---- sign-ups ---------------------------------------------------------------------------------------------

def _signup_formdata(call, agent, payload):
    """The sign-up form's data: motivation, time asked (the call's proposal when left out), availability, and
    the answers keyed by question id, each read as its question's kind (ANSWER_FIELDS)."""
    values = dict(payload)
    if values.get("hours_asked") is None:
        values["hours_asked"] = str(hours_to_propose(call, agent))
    values = read(SignUpInputSchema(), values)
    answers = values.pop("answers", {})
    data = SignUpInputSchema.formdata(values)
    questions = {str(question.id): question for question in call.active_questions}
    errors = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:  # refused at once: thousands of unknown keys must not each be read and answered
            raise InvalidInput({f"answers.{key}"[:100]: [_("This call has no such question.")]})
        if question.kind == "yes_no" and isinstance(value, bool):
            value = "yes" if value else "no"
        try:
            texts = ANSWER_FIELDS[question.kind].deserialize(value)
        except ValidationError as invalid:
            errors[f"answers.{key}"] = invalid.messages
            continue
        for text in texts or []:
            data.add(f"q{question.id}", text)
    if errors:
        raise InvalidInput(errors)
    return data


@bp.route("/calls/<int:call_id>/sign-ups", methods=["POST"], endpoint="createSignUp")
@login_required
def create_signup(call_id):
    """createSignUp: sign me up to an open call; a second request answers with the sign-up already made."""
    call = get_call_for_agent(call_id)
    agent = current_agent()
    existing = live_signup(call.id, agent.id)
    if existing is not None:
        return json_answer(my_signup(existing, agent, waitlist_rank(existing)))
    payload = json_body()
    form = signup_form_for(call, agent, formdata=_signup_formdata(call, agent, payload), meta={"csrf": False})
    validated(form, {f"q{question.id}": f"answers.{question.id}" for question in call.active_questions})
    signup, created, rank = sign_up(call.id, agent, form.motivation.data.strip(), form.hours_asked.data,
                                    (form.availability.data or "").strip(), form.answers())
    return json_answer(my_signup(signup, agent, rank), 201 if created else 200)


@bp.route("/me/sign-ups", endpoint="listMySignUps")
@login_required
def list_my_signups():
    """listMySignUps: my sign-ups, newest first, with my rank on waiting lists."""
    agent = current_agent()

    def represent(signups):
        ranks = waitlist_ranks({signup.call_id for signup in signups if signup.status == SignUpStatus.WAITLISTED})
        return [Shown(signup, waitlist_rank=ranks.get(signup.id), can_withdraw=signup.can_withdraw(agent))
                for signup in signups]

    return json_answer(page_of_query(signups_of_agent(agent), MySignUpSchema, represent))


@bp.route("/me/sign-ups/<int:signup_id>/withdraw", methods=["POST"], endpoint="withdrawSignUp")
@login_required
def withdraw_signup(signup_id):
    """withdrawSignUp: withdraw one of my live sign-ups; a place freed goes to the waiting list."""
    signup = get_own_signup(signup_id)
    withdraw(signup, current_agent())
    return json_answer(my_signup(signup, current_agent()))


@bp.route("/calls/<int:call_id>/sign-ups", endpoint="listCallSignUps")
@role_required("lab")
def list_call_signups(call_id):
    """listCallSignUps: a call's sign-ups with motivation and answers (lab), filtered like the page."""
    call = get_call_for_lab(call_id)
    filters = validated(SignUpFilterForm(request.args)).valid_filters()
    ranks = waitlist_ranks([call.id])
    return json_answer(page_of_query(signups_of_call(call, **filters), LabSignUpSchema, lambda signups: [
        Shown(signup, waitlist_rank=ranks.get(signup.id)) for signup in signups]))


@bp.route("/sign-ups/<int:signup_id>/decline", methods=["POST"], endpoint="declineSignUp")
@role_required("lab")
def decline_signup(signup_id):
    """declineSignUp: decline a live sign-up with a reason the agent receives (lab)."""
    signup = get_signup_for_lab(signup_id)
    form = form_from_json(DeclineForm, DeclineInputSchema(), json_body())
    decline(signup, current_agent(), form.reason.data.strip())
    return json_answer(LabSignUpSchema().dump(signup))


# ---- approvals --------------------------------------------------------------------------------------------

@bp.route("/approvals", endpoint="listPendingApprovals")
@login_required
def list_pending_approvals():
    """listPendingApprovals: the requests I decide on, oldest first — never the motivation or the answers."""
    def represent(signups):
        allocated = allocated_this_year({signup.agent_id for signup in signups})
        return [Shown(signup, hours_allocated_this_year=allocated.get(signup.agent_id, 0)) for signup in signups]

    return json_answer(page_of_query(pending_for(current_agent(), with_units=True), PendingRequestSchema, represent))


@bp.route("/approvals/<int:signup_id>", methods=["POST"], endpoint="decideApproval")
@login_required
def decide_approval(signup_id):
    """decideApproval: agree to the time asked, agree to less, or refuse with a reason."""
    signup = get_request_for_approver(signup_id)
    hours = decide_from_body(signup, signup.hours_asked)
    return json_answer(DecisionSchema().dump(Shown(signup, hours_agreed=hours)))


def decide_from_body(request_or_extension, hours_asked):
    """The approver's decision read from the JSON body and carried out; the hours agreed (None on a refusal)."""
    form = form_from_json(DecisionForm, DecisionInputSchema(), json_body(), hours_asked=hours_asked)
    return decide_on(request_or_extension, current_agent(), form.outcome.data, form.hours.data,
                  (form.reason.data or "").strip())


@bp.route("/approvals/extensions", endpoint="listPendingExtensions")
@login_required
def list_pending_extensions():
    """listPendingExtensions: the extension requests I decide on, oldest first, with the allocation's use."""
    def represent(extensions):
        used = used_hours([extension.allocation_id for extension in extensions])
        return [_with_use(extension, used.get(extension.allocation_id, 0)) for extension in extensions]

    return json_answer(page_of_query(pending_extensions_for(current_agent()), PendingExtensionSchema, represent))


def _with_use(extension, used, **extra):
    """An extension request shown with its allocation's hours logged (`used`)."""
    return Shown(extension, allocation=Shown(extension.allocation, used=used), **extra)


@bp.route("/approvals/extensions/<int:extension_id>", methods=["POST"], endpoint="decideExtension")
@login_required
def decide_extension(extension_id):
    """decideExtension: agree to the extra hours (or fewer) and the later end, or refuse with a reason."""
    extension = get_extension_for_approver(extension_id)
    hours = decide_from_body(extension, extension.extra_hours)
    used = used_hours([extension.allocation_id]).get(extension.allocation_id, 0)
    return json_answer(ExtensionDecisionSchema().dump(_with_use(extension, used, hours_agreed=hours)))


# ---- time budgets -----------------------------------------------------------------------------------------

@bp.route("/me/budget", endpoint="getMyBudget")
@login_required
def get_my_budget():
    """getMyBudget: my allocations of a year (allocated, used, remaining, pace) and the hours logged each month."""
    form = validated(YearForm(request.args))
    agent, year = current_agent(), form.year.data or local_today().year
    year_budgets = budgets(allocations_of(agent, year))
    monthly = monthly_use(year, agent)
    return json_answer(BudgetSchema().dump({
        "year": year, "working_hours": working_hours(agent.quotity, date(year, 1, 1), date(year, 12, 31)),
        "hours_logged": sum((hours for _, hours in monthly), 0), "allocations": year_budgets,
        "months": [{"month": first_day, "hours": hours} for first_day, hours in monthly],
    }))


@bp.route("/me/budget/allocations/<int:allocation_id>/time-entries", methods=["POST"], endpoint="createTimeEntry")
@login_required
def create_time_entry(allocation_id):
    """createTimeEntry: log hours on a day against one of my allocations; never past 100 %."""
    allocation = get_own_allocation(allocation_id)
    form = form_from_json(TimeEntryForm, TimeEntryInputSchema(), json_body())
    entry, reached = log_time(allocation, current_agent(), form.day.data, form.hours.data, form.note.data or "")
    return json_answer(TimeEntrySchema().dump(Shown(entry, can_change=can_change(entry, current_agent()),
                                                    budget_reached=reached)), 201,
                       url_for("allies.api.listTimeEntries", allocation_id=allocation.id))


@bp.route("/me/budget/allocations/<int:allocation_id>/extensions", methods=["POST"], endpoint="requestExtension")
@login_required
def create_extension_request(allocation_id):
    """requestExtension: ask my manager for more hours, a later end, or both."""
    allocation = get_own_allocation(allocation_id)
    form = form_from_json(ExtensionForm, ExtensionInputSchema(), json_body())
    extension = request_extension(allocation, current_agent(), form.extra_hours.data, form.new_end_date.data,
                                  form.note.data or "")
    return json_answer(ExtensionSchema().dump(extension), 201)


@bp.route("/me/budget/allocations/<int:allocation_id>/time-entries", endpoint="listTimeEntries")
@login_required
def list_time_entries(allocation_id):
    """listTimeEntries: the time logged on one of my allocations, newest first."""
    allocation = get_own_allocation(allocation_id)
    agent = current_agent()
    return json_answer(page_of_query(entries_of([allocation]), TimeEntrySchema, lambda entries: [
        Shown(entry, can_change=can_change(entry, agent)) for entry in entries]))


# ---- exports ----------------------------------------------------------------------------------------------

@bp.route("/volunteers/export", methods=["POST"], endpoint="exportVolunteers")
@role_required("lab")
def volunteer_list_file():
    """exportVolunteers: the volunteer list filtered by the query string, as ODS, XLSX or CSV (lab); recorded in
    the audit log."""
    filters = validated(volunteer_filters()).filters()
    formats = validated(ExportForm(formdata=MultiDict({"file_format": request.args.get("format", "ods")}),
                                   meta={"csrf": False}), ExportQuerySchema().json_names())
    name, media_type, chunks = export_volunteers(current_agent(), formats.file_format.data, filters)
    return download(name, media_type, stream_with_context(chunks))
