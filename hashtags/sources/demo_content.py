"""The demo's script (who posts, what they say, how busy each hour is), kept apart from its code.

Edit this to change what the demo shows; `demo` turns it into posts, the same ones every time
for the same seed and minute. Everything here is fictional: people, organizations, places.
"""

from __future__ import annotations

from typing import Any

# Campaign tags as people write them; any other tag is shown in its normalized form.
DISPLAYS = {"nhitweek": "NHITweek", "hitworks": "HITworks", "ihearthit": "IHeartHIT"}
# Relative popularity, so #NHITweek outpaces #HITworks as it did in real campaigns.
TAG_WEIGHTS = {"nhitweek": 1.0, "ihearthit": 0.45, "hitworks": 0.35}
# New posts per minute for a tag of weight 1, by local hour (US Eastern).
HOURLY: tuple[float, ...] = (0.04, 0.03, 0.03, 0.03, 0.04, 0.08, 0.25, 0.6, 1.1, 1.3, 1.2, 0.9)
HOURLY += (0.7, 0.75, 0.7, 0.65, 0.6, 0.45, 0.35, 0.3, 0.25, 0.18, 0.1, 0.06)
CHAT_HOUR, CHAT_RATE = 14, 4.5  # the chat adds this many posts per minute at its peak
# Minutes into the chat at which the host posts: welcome, Q1..Q6, thanks.
HOST_MINUTES = (0, 2, 11, 20, 29, 38, 47, 57)


def _lines(block: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in block.strip().splitlines())


# handle | name | kind; followers are derived from the handle, so they stay stable.
AUTHORS = tuple(
    tuple(part.strip() for part in line.split("|"))
    for line in _lines("""
    dr_okafor_peds | Amara Okafor, MD | clinician
    drbenlindqvist | Ben Lindqvist, DO | clinician
    hospitalist_raj | Raj Venkataraman, MD | clinician
    dr_ellis_fm | Nora Ellis, MD | clinician
    rural_doc_mtn | Samuel Redhawk, MD | clinician
    drsantos_im | María Santos, MD | clinician
    cardio_kwame | Kwame Mensah, MD | clinician
    rosa_rn_icu | Rosa Delgado, RN | nurse
    nurseinformatics_lee | Grace Lee, RN-BC | nurse
    homehealth_tasha | Tasha Monroe, RN | nurse
    er_nurse_dev | Devon Pike, BSN | nurse
    np_hannah_b | Hannah Brightwater, NP | nurse
    school_nurse_ali | Alisha Carver, RN | nurse
    interop_ivan | Ivan Petrov | healthit
    cmio_jordan | Jordan Whitaker, CMIO | healthit
    hie_kate | Kate Moreno | healthit
    datasafe_priya | Priya Raman | healthit
    ehr_trainer_sam | Sam Okonkwo | healthit
    fhir_friday_mel | Mel Hargrove | healthit
    cio_lakeshore | Dana Ruiz, CIO | healthit
    statesen_ortiz | State Sen. Lin Ortiz | policy
    rep_hollis_d9 | Rep. Carla Hollis | policy
    councilmember_tran | Councilmember Vy Tran | policy
    policyfellow_bell | Marcus Bell | policy
    healthpolicy_jen | Jen Abernathy | policy
    caregiver_mike | Mike Duarte | patient
    t1d_and_thriving | Leah Park | patient
    momof3_portal | Brenda Sykes | patient
    veteran_ray | Ray Castillo | patient
    kidney_warrior_j | Jamal Reed | patient
    sandwichgen_anne | Anne Whitcomb | patient
    epatient_lou | Lou Fairbanks | patient
    clearpath_health | ClearPath Health Data | vendor
    brightline_ehr | Brightline EHR | vendor
    carebridge_apps | CareBridge Apps | vendor
    northwind_tele | Northwind Telehealth | vendor
    connectedcare_co | Coalition for Connected Care | association
    midwest_hit_soc | Midwest Health IT Society | association
    lakeshore_chc | Lakeshore Community Health | association
    ni_network | Nursing Informatics Network | association
""")
)
HOST = ("hitchat_host", "Health IT Chat", "association")
# A chat's newcomers: first name | last name | kind; each chat day has its own (handle + date).
NEWCOMER_SHARE = 0.2
NEWCOMERS = tuple(
    tuple(part.strip() for part in line.split("|"))
    for line in _lines("""
    Aisha | Bello | nurse
    Tomás | Quiroga | patient
    Mei | Tanaka | healthit
    Owen | Fletcher | clinician
    Zara | Haddad | patient
    Luca | Bianchi | healthit
    Imani | Brooks | nurse
    Piotr | Nowak | clinician
    Sofia | Lindgren | patient
    Kofi | Asante | healthit
    Ruth | Abramson | patient
    Diego | Marín | nurse
""")
)
FOLLOWER_SCALE = {"patient": 300, "nurse": 800, "clinician": 2000, "healthit": 1500}
FOLLOWER_SCALE |= {"policy": 8000, "vendor": 5000, "association": 15000}
VERIFIED = {"policy", "vendor", "association"}

CITIES = ("Columbus", "Tucson", "Duluth", "Savannah", "Boise", "Albany", "Fresno", "Knoxville")
ORGS = ("Riverbend Medical Center", "Pine Hollow Clinic", "Cedar Valley Health", "Maple St FQHC")
DAYS = ("Tuesday", "Thursday at noon", "tomorrow morning", "this Friday")
# The guide's themes: theme -> (share of posts, who writes them, chance of a link, templates).
THEMES = {
    "story": (
        0.28,
        ("patient", "nurse", "clinician"),
        0.2,
        _lines("""
        My mom's pharmacist caught a dangerous interaction because her records followed her. {tag}
        I used to carry a binder of paper records to every visit. Now we all see one chart. {tag}
        Telehealth meant my son saw his specialist without a three-hour drive. Grateful. {tag}
        Night shift nurse here: barcode scanning has stopped more med errors than I can count. {tag}
        Remote monitoring flagged my dad's blood pressure before it became a stroke. {tag}
        Portal messages let me manage my diabetes between visits instead of waiting months. {tag}
        In our rural clinic, e-prescribing means patients get their meds the same afternoon. {tag}
        Our early-warning score caught sepsis {n} hours sooner last month. {tag}
    """),
    ),
    "policy": (
        0.14,
        ("policy", "association", "healthit"),
        0.3,
        _lines("""
        Met our state legislators about telehealth broadband. Health IT is infrastructure. {tag}
        Calling on Congress to keep telehealth flexibilities: {city} counts on them. {tag}
        Thanks to every elected official who visited a clinic this week to see health IT. {tag}
        Interoperability rules only matter if they reach the bedside. Our comments are in. {tag}
        Toured {org} today: shared records cut duplicate tests. Good policy follows good data. {tag}
        Privacy and access are not opposites. Proud to back patient data rights. {tag}
    """),
    ),
    "event": (
        0.22,
        ("association", "vendor", "healthit", "nurse"),
        0.5,
        _lines("""
        Join us {day} at {org} in {city} for a health IT open house: demos and coffee! {tag}
        Our {city} team hosts a lunch-and-learn on patient portals {day}. All are welcome! {tag}
        Health IT cupcakes in the break room. The one iced like an EHR login went first. {tag}
        Packed room for our {city} panel on community health data. Thanks to all {n} of you! {tag}
        Changed my profile picture for the week. What is your role in health IT? {tag}
        Posted a two-minute video on our vision for connected care. No jargon, promise. {tag}
        Meme of the day: me explaining interoperability to my family at dinner. {tag}
    """),
    ),
    "thought": (
        0.36,
        ("healthit", "vendor", "clinician", "association"),
        0.6,
        _lines("""
        Interoperability is not a feature: it is a promise that a patient's story travels too. {tag}
        New post: what {n} years of HIE data taught us about readmissions. {tag}
        Expanding access to quality care starts with broadband and ends with tools people use. {tag}
        {n} new informatics jobs in {city} this quarter: health IT is economic opportunity. {tag}
        Healthier communities need data that crosses hospital walls: schools, food banks. {tag}
        Supporting healthcare transformation means training people, not just buying software. {tag}
        FHIR APIs let our patients bring their data to the apps they already use. {tag}
        Clinician burnout is a design problem. Good health IT gives time back to patients. {tag}
    """),
    ),
}
HOST_POSTS = _lines("""
    Welcome to the health IT chat! Tell us who you are and where you are joining from. {tag}
    Q1: How has health IT changed the care you give or receive? Answer with A1 and {tag}
    Q2: What is the biggest barrier to interoperability where you live? Answer with A2 and {tag}
    Q3: How can we help policymakers see why health IT matters? Answer with A3 and {tag}
    Q4: Where has telehealth expanded access the most? Answer with A4 and {tag}
    Q5: What skills will the health IT workforce need in five years? Answer with A5 and {tag}
    Q6: Share a moment when health IT made a difference for you. Answer with A6 and {tag}
    Thanks for a great chat, everyone! Keep the stories coming all week. {tag}
""")
# Two answers to each question, separated by " / ".
ANSWERS = tuple(
    line.split(" / ")
    for line in _lines("""
    I spend less time hunting for records, more with patients. / My care team sees my readings.
    Data that arrives but is unusable at the bedside. / Matching patients across {n} systems.
    Invite them to shadow a nurse for a shift. / Bring patients and their stories to every meeting.
    Rural behavioral health, no question. / Home visits for patients who cannot drive to {city}.
    Data literacy for every role, not just analysts. / Security habits plus clinical workflow.
    The ER in {city} had my allergy list before I did. / A midnight portal message spared us the ER.
""")
)
CHATTER = _lines("""
    Joining from {city}! Nurse informaticist here and ready to learn. {tag}
    So many great answers. Taking notes for our team at {org}. {tag}
    This chat is the best hour of the week. {tag}
""")

# --- Around the generated posts: what `seed_demo` adds to each edition (campaigns.demo_*) ------

# The campaign's own account (not in AUTHORS, so generated posts never change its followers).
TEAM = ("nhitweek_team", "NHIT Week Team", "association")
TEAM_FOLLOWERS = 24_000
# Opens each edition a few hours after its start; seed_demo pins it on the wall.
WELCOME_AFTER_HOURS = 9
WELCOME = (
    "Welcome to {name}! All week, share how health IT helps care with {nhitweek}, tell your "
    "{ihearthit} story, and show policymakers that {hitworks}. Your posts fill the wall."
)
WELCOME_METRICS: dict[str, Any] = {"likes": 240, "reposts": 85, "replies": 31, "quotes": 12}
