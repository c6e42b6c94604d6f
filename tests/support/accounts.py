"""Account-list rows for tests: senators as the congress import reads them."""

from __future__ import annotations

from campaigns.accounts.services import HandleData, PersonData


def senator(
    name: str, key: str, handle: str, state: str, party: str, office: str = "Senator", user_id=""
) -> PersonData:
    """A senator keyed by bioguide id, with one X handle."""
    return PersonData(
        name=name,
        office=office,
        chamber="senate",
        state=state,
        party=party,
        external_key=key,
        handles=(HandleData("x", handle, user_id),),
    )


SANDERS = senator(
    "Bernard Sanders", "S000033", "SenSanders", "VT", "Independent", user_id="29442313"
)
CANTWELL = senator("Maria Cantwell", "C000127", "SenatorCantwell", "WA", "Democrat")
