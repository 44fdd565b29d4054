"""Who may see and change sites."""

import rules

from artworx.roles import is_teacher, manages_sites, sees_all

rules.add_perm("sites.view_site", sees_all | is_teacher)
rules.add_perm("sites.add_site", manages_sites)
rules.add_perm("sites.change_site", manages_sites)
