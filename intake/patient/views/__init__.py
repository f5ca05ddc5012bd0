"""The patient pages, by the part of the form they serve: `start` (start, privacy, consent),
`questions` (a question page per step, support), `medicines` (the "add another" list), `finish`
(check, submit, results), `save_resume` (save and come back later); `stale` answers forms posted
after their draft left the browser, and `drafts` holds what every page shares (the draft bound
to this browser, its row lock, rendering a page).
"""
