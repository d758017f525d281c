"""Package data: the word lists and rules the guard and the matcher read (sources named)."""
