"""The moderation rules page: the rules as a form, what saving them would do, and the save.

"Save and apply" first previews: how many shown posts the rules would hide (and a few of
them), how many they release, and what a change of mode means; the rules are saved only when
that preview is confirmed, and only for the change it showed (moderation.rules_fingerprint).
The audit log's revert of a rules change lands here too, with the earlier rules filled in and
previewed the same way. Curators and admins (campaigns.curate_posts).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from campaigns.curation.forms import RulesForm
from campaigns.curation.moderation import RulesChanged, rules_preview, rules_save
from campaigns.curation.undo import RevertRefused
from campaigns.curation.views import curator_campaign, is_admin
from campaigns.models import Campaign, CurationEvent, ModerationRules


def rules_form_data(state: dict) -> dict:
    """Form data from a rules state as events record it (lists of lines)."""
    lines = lambda key: "\n".join(str(v) for v in state.get(key) or [])  # noqa: E731
    return {
        "mode": state.get("mode") or ModerationRules.Mode.OPEN,
        "blocked_words": lines("blocked_words"),
        "blocked_authors": lines("blocked_authors"),
        "hide_reposts": "on" if state.get("hide_reposts") else "",
    }


def rules_revert_event(request: HttpRequest, campaign: Campaign) -> CurationEvent | None:
    """The rules event this form reverts (a hidden field the audit log's revert sets; admins
    only, as the audit log is theirs)."""
    raw = request.POST.get("reverts", "")
    if not is_admin(request):
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return CurationEvent.objects.filter(campaign=campaign, pk=int(raw), target_type="rules").first()


def rules_page(
    request: HttpRequest,
    campaign: Campaign,
    form: RulesForm,
    *,
    preview=None,
    reverts: CurationEvent | None = None,
    status: int = 200,
) -> HttpResponse:
    rules = ModerationRules.objects.filter(campaign=campaign).select_related("updated_by").first()
    context = {
        "campaign": campaign,
        "form": form,
        "rules": rules,
        "can_audit": is_admin(request),
        "preview": preview,
        "reverts": reverts,
    }
    return render(request, "curation/rules.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def curate_rules(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = curator_campaign(request, slug)
    rules = ModerationRules.objects.filter(campaign=campaign).first()
    instance = rules or ModerationRules(campaign=campaign)
    if request.method == "GET":
        return rules_page(request, campaign, RulesForm(instance=instance))
    reverts = rules_revert_event(request, campaign)
    form = RulesForm(request.POST, instance=instance)
    if not form.is_valid():
        return rules_page(request, campaign, form, reverts=reverts, status=400)
    confirmed = request.POST.get("confirm") == "yes"
    if confirmed:
        try:
            applied = rules_save(
                campaign=campaign,
                data=form.cleaned_data,
                actor=request.user,
                previewed=request.POST.get("preview", ""),
                reverts=reverts,
            )
        except RulesChanged as exc:
            messages.warning(request, str(exc))
        except RevertRefused as exc:
            messages.error(request, str(exc))
            return redirect("campaigns:curate_audit", slug=campaign.slug)
        else:
            if not applied.changed:
                messages.info(request, "The rules are unchanged.")
            else:
                messages.success(
                    request,
                    f"Rules saved: {applied.hidden} post{'s' if applied.hidden != 1 else ''} "
                    f"newly hidden, {applied.released} released.",
                )
            return redirect("campaigns:curate_rules", slug=campaign.slug)
    preview = rules_preview(campaign=campaign, data=form.cleaned_data)
    if not preview.changed:
        messages.info(request, "The rules are unchanged.")
        return redirect("campaigns:curate_rules", slug=campaign.slug)
    return rules_page(request, campaign, form, preview=preview, reverts=reverts)
