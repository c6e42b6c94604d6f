"""The organizers' forms: a list's fields with its typed members as CSV lines (the import's
format, so a spreadsheet's rows paste in), and a CSV upload. The rules stay in the services;
a form puts each refusal on the field it is about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from campaigns.accounts.imports import CSV_COLUMNS, ImportRefused, csv_people
from campaigns.accounts.services import PersonData, problem_said
from campaigns.models import AccountList

UPLOAD_MAX_BYTES = 5 * 1024 * 1024

_LIST_FIELDS = forms.fields_for_model(
    AccountList,
    fields=["name", "slug", "kind", "description"],
    help_texts={
        "slug": "Its address and its name on the command line: letters, digits, hyphens and "
        "underscores, e.g. hit-staff. It cannot be changed later.",
        "kind": "Policymakers, your staff, partner organizations, or other.",
    },
)


class _Described(forms.Form):
    """Each field points at its help text and its error, for screen readers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.describe()

    def full_clean(self) -> None:
        super().full_clean()
        self.describe()

    def describe(self) -> None:
        for name, field in self.fields.items():
            ids = [f"id_{name}_error"] if name in self.errors else []
            if field.help_text:
                ids.append(f"id_{name}_helptext")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"


class AccountListForm(_Described):
    name = _LIST_FIELDS["name"]
    slug = _LIST_FIELDS["slug"]
    kind = _LIST_FIELDS["kind"]
    description = _LIST_FIELDS["description"]
    members = forms.CharField(
        label="Members",
        required=False,
        help_text="One handle a line: " + ",".join(CSV_COLUMNS) + ", as the CSV import reads "
        "them (a first line naming the columns is optional). A person with several accounts "
        "has a line for each, with the same name and office; a line with no platform and "
        "handle lists a person with no account yet. Members you remove are kept, marked "
        "former.",
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, account_list: AccountList | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.account_list = account_list
        self.fields["description"].widget.attrs["rows"] = 3
        if account_list is not None:
            del self.fields["slug"]  # a list's address stays what it was

    def clean_members(self) -> list[PersonData]:
        try:
            people, problems, _ = csv_people(self.cleaned_data["members"], header_required=False)
        except ImportRefused as exc:
            raise ValidationError(str(exc)) from None
        if problems:
            raise ValidationError([problem_said(line, why) for line, why in problems])
        return people

    def save_arguments(self) -> dict[str, Any]:
        """account_list_save's keywords, for a valid form."""
        data = self.cleaned_data
        return {
            "slug": self.account_list.slug if self.account_list else data["slug"],
            "name": data["name"],
            "kind": data["kind"],
            "description": data["description"],
            "people": data["members"],
            "new": self.account_list is None,
        }

    def errors_add(self, exc: ValidationError) -> None:
        """A refusal of the services: field errors on their fields, member problems on the
        members."""
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error("members", exc.messages)
        self.describe()


class CsvImportForm(_Described):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with the header " + ",".join(CSV_COLUMNS) + " (user_id optional: an "
        "X user id or a Bluesky DID); one row a handle.",
    )
    replace = forms.BooleanField(
        label="Mark former the members the file leaves out",
        required=False,
        help_text="For a list kept in a spreadsheet: who is no longer in it has left. Members "
        "from the congress import are never touched.",
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; at most "
                f"{UPLOAD_MAX_BYTES // 1024 // 1024} MB can be imported at once."
            )
        return upload.read()
