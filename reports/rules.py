"""Who may read the dashboard."""

import rules

from artworx.roles import sees_all

rules.add_perm("dashboard.view_dashboard", sees_all)
