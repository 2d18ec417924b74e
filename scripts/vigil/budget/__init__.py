"""Memory budgets: exact accounting of an ELF (and its GNU ld map) per region, section,
component and symbol, gated against boards/<board>/budget.yml."""
