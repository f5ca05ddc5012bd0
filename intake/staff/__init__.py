"""The staff room: the staff side, in the Django admin (the site, `site.StaffAdminSite`, is
installed through `intake.apps.StaffAdminConfig`; `intake/admin.py`, which Django's autodiscovery
imports, imports the modules that register models on it):

- `submissions`: the triage list and a submission's review page (essentials, one review form,
  the clinical summary), re-assessment, print view;
- `contact`: contact attempts on a case, and a clinician lowering its safety level;
- `deletion`: deleting drafts, behind a confirmation, never a flagged one;
- `catalog`: the medication catalog, validated;
- `audit_trail`: the audit trail in words, with its CSV export;
- `export`: CSV exports;
- `alert_list`: staff alerts and their delivery, "Try again now";
- `mfa`: the second factor (TOTP) and its one-time set-up links, issued in `setup_links`;
  `auth_events`: sign-in events in the audit trail.
- `staff_accounts`: the Staff page, where managers run reviewers' accounts (its URLs are added
  by the site).

Also here: `roles` (the staff groups and what each may do), `clinical_summary` (the clinical
summary at the top of a submission's page), `lockout` (the login form and django-axes' lockout),
`common` (small helpers of these modules).

Everything staff do here that touches a record is written to the audit trail (intake/audit.py).
"""
