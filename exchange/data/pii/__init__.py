"""Per-language resources of the personal-data guard."""
