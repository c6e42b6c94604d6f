"""The demo's sample #IHeartHIT stories: campaign content, so it lives with the campaign demo."""

# Sample #IHeartHIT stories, as if sent through the public form (role: a Story.Role value).
STORIES = (
    {
        "name": "Theo Nakamura",
        "role": "patient",
        "email": "theo.nakamura@example.org",
        "link": "",
        "text": "After my kidney transplant I saw doctors at three hospitals. Because they "
        "share records, nobody made me repeat my history, and my pharmacist caught a dose "
        "change the same afternoon. That is why I heart health IT.",
    },
    {
        "name": "Imani Brooks, MD",
        "role": "clinician",
        "email": "imani.brooks@example.org",
        "link": "",
        "text": "Our clinic is forty miles from the nearest cardiologist. With e-consults I get "
        "a specialist's answer in a day, and my patients skip a drive many of them could not "
        "make. Health IT works when it brings care closer to home.",
    },
    {
        "name": "Carlos Ibarra",
        "role": "hit_professional",
        "email": "carlos.ibarra@example.org",
        "link": "https://example.org/stories/interfaces",
        "text": "I build the interfaces nobody sees. Last winter a lab result reached an ER "
        "doctor in minutes instead of hours, and the patient went home that night. That is the "
        "job, and I love it.",
    },
    {
        "name": "Councilmember Dana Whitfield",
        "role": "policymaker",
        "email": "dana.whitfield@example.org",
        "link": "",
        "text": "I spent a shift with our county's home-health nurses. Tablets, remote monitors "
        "and one shared care plan let two nurses keep forty seniors safe at home. I left "
        "convinced: health IT is public infrastructure.",
    },
)
