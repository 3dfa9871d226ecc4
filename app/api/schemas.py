"""The API declared once: what each operation reads and answers, as marshmallow schemas.

The same declarations load the JSON (its shape and types), dump the answers and, through apispec, write the
OpenAPI description. The rules of the domain stay with the pages' forms: an input field hands its JSON value to
the form field of the same name as the text that field reads, and its documented limits (length, range,
choices, whether it is required) are read from that form field's own validators.
"""

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, post_load, validate
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..approvals.forms import DecisionForm
from ..budgets.forms import ExtensionForm, TimeEntryForm, YearForm
from ..budgets.models import ExtensionStatus
from ..calls.forms import COMMITMENT_LABELS, COMMITMENT_LIMITS, QUESTION_LABELS, CallForm, CallSearchForm
from ..calls.models import CallStatus
from ..database import MAX_PAGE
from ..exports.forms import ExportForm, VolunteerFilterForm
from ..fields import LARGEST_ID, check_year
from ..signups.forms import DeclineForm, SignUpFilterForm, SignUpForm
from ..signups.models import SignUpStatus

DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100
DEADLINE_FORMAT = "%Y-%m-%dT%H:%M"  # what the call form's deadline field reads, in local time
CALL_STATUSES = [status.value for status in CallStatus]
SIGNUP_STATUSES = [status.value for status in SignUpStatus]
ID = {"minimum": 1, "maximum": LARGEST_ID}
HOURS = "Hours (exact to the quarter hour for time asked, agreed and logged)."


# ---- answers ----------------------------------------------------------------------------------------------

class Shown:
    """An object seen with a few more attributes: what an answer tells beside the object's own columns."""

    def __init__(self, thing, **extra):
        self._thing, self._extra = thing, extra

    def __getattr__(self, name):
        return self._extra[name] if name in self._extra else getattr(self._thing, name)


class Output(Schema):
    """An answer's shape: every field is in every answer (null where allowed) unless it says `optional`."""

    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = not field_obj.metadata.get("optional", False)


class Hours(fields.Float):
    """Hours and other exact decimals as JSON numbers (whole ones without a decimal point)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        as_float = float(value)
        return int(as_float) if as_float.is_integer() else as_float


class OrNull(fields.String):
    """A text the answer gives as null when it is empty."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value or None


class Month(fields.String):
    """A month (the first day of it) as 2027-01."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%Y-%m")


class Id(fields.Integer):
    """A database id."""

    def __init__(self, **kwargs):
        super().__init__(metadata=ID, **kwargs)


def in_hours(description=HOURS, **kwargs):
    return Hours(metadata={"description": description}, **kwargs)


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(list(choices), error=_l("Not a valid choice.")), **kwargs)


class CallRefSchema(Output):
    id = Id()
    title = fields.String()


class CallPeriodSchema(CallRefSchema):
    start_date = fields.Date()
    end_date = fields.Date()


class CallSummarySchema(Output):
    id = Id()
    title = fields.String()
    summary = fields.String()
    status = one_of(CALL_STATUSES, attribute="shown_status",
                    metadata={"description": "A published call past its deadline shows as closed."})
    capacity = fields.Integer(allow_none=True, metadata={"minimum": 1})
    places_left = fields.Integer(allow_none=True, metadata={"minimum": 0})
    deadline = fields.DateTime()
    commitment_kind = one_of(COMMITMENT_LABELS)
    commitment_value = Hours()
    start_date = fields.Date()
    end_date = fields.Date()
    needs_manager_agreement = fields.Boolean()
    audience_all = fields.Boolean(metadata={"description": "Open to every agent (else to chosen units)."})
    my_status = one_of(SIGNUP_STATUSES, allow_none=True, dump_default=None,
                       metadata={"description": "The status of my live sign-up to this call, if any."})
    signup_counts = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=0)),
                                metadata={"optional": True, "description": "Sign-ups per status: for the lab only."})


class QuestionSchema(Output):
    id = Id()
    kind = one_of(QUESTION_LABELS)
    label = fields.String()
    help_text = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.String())
    min_value = Hours(allow_none=True)
    max_value = Hours(allow_none=True)


class CallSchema(CallSummarySchema):
    body = fields.String(metadata={"description": "Markdown, as written by the lab."})
    contact = fields.String()
    audience_unit_ids = fields.Pluck(CallRefSchema, "id", many=True, attribute="audience_units")
    published_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    questions = fields.Nested(QuestionSchema, many=True, attribute="active_questions")


class AgentSchema(Output):
    """Who an agent is, as the lab and managers see them."""

    id = Id()
    login = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    email = fields.String()
    org_unit = fields.String(attribute="org_unit.path", allow_none=True, dump_default=None,
                             metadata={"description": "The org unit's full path."})


class SignUpStateSchema(Output):
    """What every view of a sign-up shows of its state: status, hours asked, when, and the rank if it waits."""

    status = one_of(SIGNUP_STATUSES)
    hours_asked = in_hours()
    submitted_at = fields.DateTime()
    status_changed_at = fields.DateTime()
    waitlist_rank = fields.Integer(allow_none=True, dump_default=None, metadata={"minimum": 1})


class MySignUpSchema(SignUpStateSchema):
    """One of my sign-ups (`can_withdraw` and `waitlist_rank` are shown beside it)."""

    id = Id()
    call = fields.Nested(CallRefSchema)
    decline_reason = OrNull(allow_none=True)
    can_withdraw = fields.Boolean()


class AnswerSchema(Output):
    question_id = Id(allow_none=True)
    label = fields.String()
    kind = one_of(QUESTION_LABELS)
    value = fields.Raw(allow_none=True, metadata={"type": ["string", "number", "boolean", "array"]})


class LabSignUpSchema(SignUpStateSchema):
    """A sign-up as the lab reviews it: the agent, the motivation, the answers."""

    id = Id()
    call_id = Id()
    agent = fields.Nested(AgentSchema)
    motivation = fields.String()
    availability = fields.String()
    answers = fields.Nested(AnswerSchema, many=True)
    decline_reason = OrNull(allow_none=True)


class PendingRequestSchema(Output):
    """A request as the approver sees it: agent, call, period, time asked — never the motivation or answers."""

    signup_id = Id(attribute="id")
    status = one_of(SIGNUP_STATUSES)
    agent = fields.Nested(AgentSchema)
    call = fields.Nested(CallPeriodSchema)
    hours_asked = in_hours()
    submitted_at = fields.DateTime()
    manager_asked_at = fields.DateTime(allow_none=True)
    hours_allocated_this_year = in_hours(dump_default=0)


class DecisionSchema(PendingRequestSchema):
    hours_agreed = in_hours(allow_none=True)


class AllocationBudgetSchema(Output):
    """An allocation with what was used of it."""

    allocation_id = Id(attribute="allocation.id")
    call = fields.Nested(CallRefSchema, attribute="allocation.signup.call")
    hours = in_hours(attribute="allocation.hours")
    used = in_hours()
    remaining = in_hours()
    pace = in_hours("What a steady use since the start reaches today.")
    level = one_of(["ok", "warning", "full"])
    start_date = fields.Date(attribute="allocation.start_date")
    end_date = fields.Date(attribute="allocation.end_date")
    running = fields.Boolean(attribute="allocation.is_running")


class MonthUseSchema(Output):
    month = Month(metadata={"pattern": "^[0-9]{4}-[0-9]{2}$"})
    hours = in_hours()


class BudgetSchema(Output):
    year = fields.Integer()
    working_hours = in_hours("What the agent works in the year (1,607 h × quotity).")
    hours_logged = in_hours()
    allocations = fields.Nested(AllocationBudgetSchema, many=True)
    months = fields.Nested(MonthUseSchema, many=True)


class TimeEntrySchema(Output):
    id = Id()
    allocation_id = Id()
    day = fields.Date()
    hours = in_hours()
    note = fields.String()
    created_at = fields.DateTime()
    can_change = fields.Boolean(metadata={"description": "Entries of the current month can change."})
    budget_reached = Hours(allow_none=True, dump_default=None, validate=validate.OneOf([0.8, 1]),
                           metadata={"description": "The share of the budget this entry took it past."})


class ExtensionSchema(Output):
    """An extension request as its agent sees it."""

    id = Id()
    allocation_id = Id()
    extra_hours = in_hours()
    new_end_date = fields.Date(allow_none=True)
    note = fields.String(metadata={"description": "Why the agent needs it; their manager reads it."})
    status = one_of([status.value for status in ExtensionStatus])
    submitted_at = fields.DateTime()


class AllocationUseSchema(Output):
    hours = in_hours()
    used = in_hours("Hours logged so far.")
    start_date = fields.Date()
    end_date = fields.Date()


class PendingExtensionSchema(ExtensionSchema):
    """An extension request as the approver sees it: the agent, the call, the allocation and its use."""

    agent = fields.Nested(AgentSchema, attribute="allocation.agent")
    call = fields.Nested(CallRefSchema, attribute="allocation.signup.call")
    allocation = fields.Nested(AllocationUseSchema)


class ExtensionDecisionSchema(PendingExtensionSchema):
    hours_agreed = in_hours(allow_none=True)


class ProblemSchema(Output):
    class Meta(Output.Meta):
        description = "RFC 9457 problem details."

    type = fields.String(metadata={"description": "about:blank for plain HTTP errors; "
                                                  "urn:allies:problem:invalid-input (422, see errors) or "
                                                  "urn:allies:problem:refused (409, a rule of the domain)."})
    title = fields.String()
    status = fields.Integer(validate=validate.Range(min=400, max=599))
    detail = fields.String(metadata={"description": "What went wrong, in the agent's language."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"optional": True, "description": "Messages per input field (422)."})


class PageSchema(Output):
    class Meta(Output.Meta):
        description = "One page of a list, with the total number of items and pages."


def page_schema(item):
    """The schema of one page of a list of `item`s, named after it (CallSummaryPage…)."""
    name = item.__name__.removesuffix("Schema")
    return PageSchema.from_dict({
        "items": fields.Nested(item, many=True),
        "page": fields.Integer(validate=validate.Range(min=1)),
        "per_page": fields.Integer(validate=validate.Range(min=1, max=MAX_PER_PAGE)),
        "total": fields.Integer(validate=validate.Range(min=0)),
        "pages": fields.Integer(validate=validate.Range(min=0)),
    }, name=f"{name}PageSchema")


PAGES = {item: page_schema(item) for item in (CallSummarySchema, MySignUpSchema, LabSignUpSchema, PendingRequestSchema,
                                              PendingExtensionSchema, TimeEntrySchema)}


def page_of(items, page, per_page, total):
    """A page of a list, with where it stands."""
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": (total + per_page - 1) // per_page if total else 0}


# ---- what the API reads -----------------------------------------------------------------------------------

def form_rules(form_field):
    """What a form field's validators and choices allow, as JSON Schema keywords, and whether it is required."""
    rules, required = {}, False
    for validator in form_field.kwargs.get("validators", ()) if form_field is not None else ():
        if isinstance(validator, DataRequired):
            required = True
            rules["minLength"] = 1
        elif isinstance(validator, InputRequired):
            required = True
        elif isinstance(validator, Length) and validator.max != -1:
            rules["maxLength"] = validator.max
        elif isinstance(validator, NumberRange):
            rules.update({key: bound for key, bound in (("minimum", validator.min), ("maximum", validator.max))
                          if bound is not None})
    choices = form_field.kwargs.get("choices") if form_field is not None else None
    if choices and issubclass(form_field.field_class, (SelectField, RadioField, SelectMultipleField)):
        rules["enum"] = [choice.value for choice in choices]
    return rules, required


class FormValue(fields.Field):
    """A JSON value handed to a form field as the texts it reads; null, false or nothing leave it empty.

    `form` is the form field it feeds: its rules document the value (the form checks them).
    """

    message = None  # what to give instead of a value of the wrong JSON type
    accepts = (str,)  # the JSON types it takes (a boolean only when named)

    def __init__(self, *args, form=None, metadata=None, **kwargs):
        rules, required = form_rules(form)
        if args and isinstance(args[0], fields.Field) and "enum" in rules:  # a list: its items are the choices
            args[0].metadata["enum"] = rules.pop("enum")
        super().__init__(*args, metadata={**rules, **(metadata or {})}, required=kwargs.pop("required", required),
                         **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        """Missing or null: no text (the form then says whether the field was required)."""
        if value is missing or value is None:
            return missing
        try:
            return self._texts(value)
        except ValueError as error:
            raise ValidationError([str(error)]) from None

    def _texts(self, value):
        return [str(self._checked(value))]

    def _checked(self, value):
        """`value`, if it is of a JSON type the field takes."""
        if not isinstance(value, self.accepts) or (isinstance(value, bool) and bool not in self.accepts):
            raise ValueError(self.message)
        return value


class Text(FormValue, fields.String):
    message = _l("Give a text.")


class Number(FormValue, fields.Float):
    """A number, or a text the form reads as one (« 3,5 »)."""

    message = _l("Give a number.")
    accepts = (str, int, float)


class Integer(FormValue, fields.Integer):
    message = _l("Give a whole number.")
    accepts = (str, int)


class Boolean(FormValue, fields.Boolean):
    message = _l("Give true or false.")
    accepts = (bool,)

    def _texts(self, value):
        return ["y"] if self._checked(value) else []


class Day(FormValue, fields.Date):
    """A date in ISO 8601; one the form cannot read is left to say what it expected."""

    message = _l("Give a date such as 2027-01-31.")

    def _texts(self, value):
        check_year(_parsed(self._checked(value), date.fromisoformat))
        return [value]


class Moment(FormValue, fields.DateTime):
    """A date and time in ISO 8601, handed to the form in local time (ALLIES_TIMEZONE) to the minute."""

    message = _l("Give a date and time in ISO 8601, such as 2027-01-31T18:00:00+01:00.")

    def _texts(self, value):
        moment = _parsed(self._checked(value), datetime.fromisoformat)
        if moment is None:
            raise ValueError(self.message)
        check_year(moment)
        local = to_user_timezone(moment) if moment.tzinfo else moment
        return [local.strftime(DEADLINE_FORMAT)]


class ListOf(FormValue, fields.List):
    """A list of values of one JSON type (`item`: int or str)."""

    accepts, item = (list,), str

    def _texts(self, value):
        if not all(isinstance(item, self.item) and not isinstance(item, bool) for item in self._checked(value)):
            raise ValueError(self.message)
        return [str(item) for item in value]


class Ids(ListOf):
    message = _l("Give a list of whole numbers.")
    item = int

    def __init__(self, **kwargs):
        super().__init__(fields.Integer(metadata=ID), **kwargs)


class Texts(ListOf):
    message = _l("Give a list of texts.")

    def __init__(self, **kwargs):
        super().__init__(fields.String(), **kwargs)


class Answers(FormValue, fields.Dict):
    """Answers keyed by question id, each read by the field of its question (ANSWER_FIELDS)."""

    message = _l("Give an object of answers keyed by question id.")
    accepts = (dict,)

    def _texts(self, value):
        return self._checked(value)


def _parsed(text, parse):
    """The date or datetime in `text`, or None (the form then says what it expected)."""
    try:
        return parse(text)
    except ValueError:
        return None


class FormInput(Schema):
    """A JSON body for one of the pages' forms. Fields named as the form's (`data_key`: the JSON name where it
    differs); other members are ignored. `errors_shown_on` names the JSON field that reports a form field the
    JSON has no member for."""

    errors_shown_on = {}

    class Meta:
        unknown = EXCLUDE

    @staticmethod
    def formdata(values):
        """The MultiDict the form reads, from the loaded `values` (each field's texts)."""
        return MultiDict([(name, text) for name, texts in values.items() for text in texts])

    def json_names(self):
        """{form field: JSON member} for the form's errors."""
        names = {field.attribute or name: field.data_key or name for name, field in self.fields.items()}
        return names | {form_name: names[field] for form_name, field in self.errors_shown_on.items()}


class CallInputSchema(FormInput):
    errors_shown_on = {"audience_all": "audience_units"}

    @post_load
    def audience(self, values, **kwargs):
        """The call is for every agent unless units are given."""
        return {**values, "audience_all": ["units" if values.get("audience_units") else "all"]}

    title = Text(form=CallForm.title)
    summary = Text(form=CallForm.summary)
    body = Text(form=CallForm.body, metadata={"description": "Markdown."})
    capacity = Integer(form=CallForm.capacity, allow_none=True, metadata={"description": "null: no limit."})
    deadline = Moment(form=CallForm.deadline, metadata={
        "description": "When sign-ups close, in the future (to the minute). Without an offset: local time of the "
                       "intranet (ALLIES_TIMEZONE)."})
    audience_units = Ids(data_key="audience_unit_ids", metadata={
        "description": "Org units (their sub-units included) the call is for; empty: every agent."})
    commitment_kind = Text(form=CallForm.commitment_kind, required=True)
    commitment_value = Number(form=CallForm.commitment_value, metadata={
        "exclusiveMinimum": 0, "maximum": max(COMMITMENT_LIMITS.values()),
        "description": "At most: 100 percent, 140 hours or 20 days per month, 1,607 hours in total."})
    start_date = Day(form=CallForm.start_date)
    end_date = Day(form=CallForm.end_date)
    needs_manager_agreement = Boolean(form=CallForm.needs_manager_agreement, metadata={"default": True})
    contact = Text(form=CallForm.contact)


class SignUpInputSchema(FormInput):
    motivation = Text(form=SignUpForm.motivation, metadata={
        "description": "Do not write anything about health, union membership, political or religious opinions."})
    hours_asked = Number(form=SignUpForm.hours_asked, required=False, metadata={
        "exclusiveMinimum": 0, "multipleOf": 0.25,
        "description": "Hours over the call's period; left out: the call's proposal for my quotity."})
    availability = Text(form=SignUpForm.availability)
    answers = Answers(metadata={
        "additionalProperties": {"type": ["string", "number", "boolean", "array"], "items": {"type": "string"},
                                 "description": "Text, a choice, a list of choices, yes/no (or true/false), a "
                                                "number, or a date."},
        "description": "Answers to the call's questions, keyed by question id."})


ANSWER_FIELDS = {"short_text": Text(), "long_text": Text(), "single_choice": Text(), "multiple_choice": Texts(),
                 "yes_no": Text(), "number": Number(), "date": Day()}


class DeclineInputSchema(FormInput):
    reason = Text(form=DeclineForm.reason)


class DecisionInputSchema(FormInput):
    outcome = Text(form=DecisionForm.outcome)
    hours = Number(form=DecisionForm.hours, metadata={
        "exclusiveMinimum": 0, "multipleOf": 0.25, "description": "With approve_less: the hours agreed, fewer than "
                                                                  "asked."})
    reason = Text(form=DecisionForm.reason, metadata={"description": "Required with refuse; the agent reads it."})


class TimeEntryInputSchema(FormInput):
    day = Day(form=TimeEntryForm.day, metadata={"description": "Inside the allocation's period, not after today."})
    hours = Number(form=TimeEntryForm.hours, metadata={"exclusiveMinimum": 0, "maximum": 24, "multipleOf": 0.25})
    note = Text(form=TimeEntryForm.note)


class ExtensionInputSchema(FormInput):
    class Meta(FormInput.Meta):
        description = "More hours, a later end, or both."

    extra_hours = Number(form=ExtensionForm.extra_hours, metadata={
        "minimum": 0, "multipleOf": 0.25, "description": "Hours to add, at most the working time left over the "
                                                         "period."})
    new_end_date = Day(form=ExtensionForm.new_end_date, metadata={
        "description": "A later end, at most a year after the current one."})
    note = Text(form=ExtensionForm.note)


# ---- query strings ----------------------------------------------------------------------------------------
# Paging and listCalls' scope and status are read here; the filters are read by the pages' filter forms, the
# schemas documenting them from those forms.

class PageNumber(fields.Integer):
    """A page number or size: digits from 1 to `highest`; empty or left out, `load_default`."""

    def __init__(self, highest, **kwargs):
        super().__init__(metadata={"minimum": 1, "maximum": highest, **kwargs.pop("metadata", {})}, **kwargs)
        self.highest = highest

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is missing or value == "":
            return self.load_default
        if isinstance(value, str) and value.isascii() and value.isdigit() and 1 <= int(value) <= self.highest:
            return int(value)
        raise ValidationError([_("Give a whole number from 1 to %(highest)d.", highest=self.highest)])


class PagingSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    page = PageNumber(MAX_PAGE, load_default=1, metadata={"description": "Page number."})
    per_page = PageNumber(MAX_PER_PAGE, load_default=DEFAULT_PER_PAGE, metadata={"description": "Items per page."})


class ListCallsQuerySchema(PagingSchema):
    scope = one_of(["open", "lab"], load_default="open", metadata={
        "description": "open: the calls I may sign up to; lab: every call (lab role)."})
    q = Text(form=CallSearchForm.q, metadata={"description": "Words of the title or summary (scope=open)."})
    kind = Text(form=CallSearchForm.kind, metadata={"description": "Kind of time asked (scope=open)."})
    status = one_of(["", *CALL_STATUSES], metadata={"description": "Status (scope=lab; archives only when asked)."})


class CallSignUpsQuerySchema(PagingSchema):
    status = Text(form=SignUpFilterForm.status, metadata={"description": "Status."})
    unit = Text(form=SignUpFilterForm.unit, metadata={"description": "Org unit path (sub-units included)."})
    q = Text(form=SignUpFilterForm.q, metadata={"description": "Agent's name, login or e-mail."})


class BudgetQuerySchema(Schema):
    year = Integer(form=YearForm.year, metadata={"description": "The year (this year by default)."})


class ExportQuerySchema(FormInput):
    file_format = Text(form=ExportForm.file_format, data_key="format", required=False, metadata={
        "default": "ods", "description": "ods, xlsx, csv (semicolons, decimal commas) or csv_comma."})
    call = Ids(metadata={"description": "Calls (none: every call)."})
    status = Texts(form=VolunteerFilterForm.status, metadata={"description": "Statuses."})
    unit = Text(form=VolunteerFilterForm.unit, metadata={"description": "Org unit path (sub-units included)."})
    submitted_from = Day(form=VolunteerFilterForm.submitted_from, metadata={"description": "Sent from this day."})
    submitted_to = Day(form=VolunteerFilterForm.submitted_to, metadata={"description": "Sent until this day."})
    q = Text(form=VolunteerFilterForm.q, metadata={"description": "Agent's name."})

