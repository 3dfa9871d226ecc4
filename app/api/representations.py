"""What the API answers: plain JSON values (ISO 8601 dates, hours as numbers) of the domain's objects."""



def moment(value):
    """A timestamp in RFC 3339, or None."""
    return value.isoformat() if value is not None else None


def day(value):
    """A date in ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def number(value):
    """Hours and other exact decimals as JSON numbers, or None."""
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def page_of(items, page, per_page, total):
    """A page of a list, with where it stands."""
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": (total + per_page - 1) // per_page if total else 0}


def call_summary(call, my_status=None, counts=None):
    """A call as lists show it (its own columns only: no query per call)."""
    summary = {
        "id": call.id, "title": call.title, "summary": call.summary, "status": call.shown_status,
        "capacity": call.capacity, "places_left": call.places_left, "deadline": moment(call.deadline),
        "commitment_kind": call.commitment_kind, "commitment_value": number(call.commitment_value),
        "start_date": day(call.start_date), "end_date": day(call.end_date),
        "needs_manager_agreement": call.needs_manager_agreement, "audience_all": call.audience_all,
        "my_status": my_status,
    }
    if counts is not None:
        summary["signup_counts"] = counts
    return summary


def call_detail(call, my_status=None, counts=None):
    """A call with its description, contact, audience and questions."""
    return {
        **call_summary(call, my_status, counts), "body": call.body, "contact": call.contact,
        "audience_unit_ids": [unit.id for unit in call.audience_units],
        "published_at": moment(call.published_at), "closed_at": moment(call.closed_at),
        "questions": [question_of(question) for question in call.active_questions],
    }


def question_of(question):
    return {"id": question.id, "kind": question.kind, "label": question.label, "help_text": question.help_text,
            "required": question.required, "choices": list(question.choices or []),
            "min_value": number(question.min_value), "max_value": number(question.max_value)}


def agent_of(user):
    """Who an agent is, as the lab and managers see them."""
    return {"id": user.id, "login": user.login, "given_name": user.given_name, "family_name": user.family_name,
            "email": user.email, "org_unit": user.org_unit.path if user.org_unit is not None else None}


def my_signup(signup, agent, rank=None):
    """One of `agent`'s own sign-ups."""
    return {
        "id": signup.id, "call": {"id": signup.call.id, "title": signup.call.title}, "status": signup.status,
        "hours_asked": number(signup.hours_asked), "submitted_at": moment(signup.submitted_at),
        "status_changed_at": moment(signup.status_changed_at), "waitlist_rank": rank,
        "decline_reason": signup.decline_reason or None, "can_withdraw": signup.can_withdraw(agent),
    }


def lab_signup(signup, rank=None):
    """A sign-up as the lab reviews it: the agent, the motivation, the answers."""
    return {
        "id": signup.id, "call_id": signup.call_id, "agent": agent_of(signup.agent), "status": signup.status,
        "hours_asked": number(signup.hours_asked), "submitted_at": moment(signup.submitted_at),
        "status_changed_at": moment(signup.status_changed_at), "waitlist_rank": rank,
        "motivation": signup.motivation, "availability": signup.availability,
        "answers": [{"question_id": answer.question_id, "label": answer.label, "kind": answer.kind,
                     "value": answer.value} for answer in signup.answers],
        "decline_reason": signup.decline_reason or None,
    }


def pending_request(signup, allocated=None):
    """A request as the approver sees it: agent, call, period, time asked — never the motivation or answers."""
    call = signup.call
    return {
        "signup_id": signup.id, "status": signup.status, "agent": agent_of(signup.agent),
        "call": {"id": call.id, "title": call.title, "start_date": day(call.start_date),
                 "end_date": day(call.end_date)},
        "hours_asked": number(signup.hours_asked), "submitted_at": moment(signup.submitted_at),
        "manager_asked_at": moment(signup.manager_asked_at),
        "hours_allocated_this_year": number(allocated or 0),
    }


def budget_of(budget):
    """An allocation with what was used of it."""
    allocation = budget.allocation
    return {
        "allocation_id": allocation.id, "call": {"id": allocation.signup.call.id,
                                                 "title": allocation.signup.call.title},
        "hours": number(allocation.hours), "used": number(budget.used), "remaining": number(budget.remaining),
        "pace": number(budget.pace), "level": budget.level, "start_date": day(allocation.start_date),
        "end_date": day(allocation.end_date), "running": allocation.is_running,
    }


def time_entry_of(entry, can_change=False, budget_reached=None):
    """A time entry; `budget_reached` is 0.8 or 1 when logging it took the budget past that share."""
    return {"id": entry.id, "allocation_id": entry.allocation_id, "day": day(entry.day),
            "hours": number(entry.hours), "note": entry.note, "created_at": moment(entry.created_at),
            "can_change": can_change, "budget_reached": number(budget_reached)}


def extension_of(extension):
    """An extension request as its agent sees it."""
    return {"id": extension.id, "allocation_id": extension.allocation_id,
            "extra_hours": number(extension.extra_hours), "new_end_date": day(extension.new_end_date),
            "note": extension.note, "status": extension.status, "submitted_at": moment(extension.submitted_at)}


def pending_extension(extension, used):
    """An extension request as the approver sees it: the agent, the call, the allocation (`used`: its hours
    logged) and what was asked."""
    allocation = extension.allocation
    call = allocation.signup.call
    return {
        **extension_of(extension), "agent": agent_of(allocation.agent), "call": {"id": call.id, "title": call.title},
        "allocation": {"hours": number(allocation.hours), "used": number(used), "start_date": day(allocation.start_date),
                       "end_date": day(allocation.end_date)},
    }
