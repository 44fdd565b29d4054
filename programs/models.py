"""Arts programs, cohorts, sessions and attendance (built by the programs issue)."""
