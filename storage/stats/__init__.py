"""Stats storage: the refresh `cursor`, member `spans` and day `rollups` (read what changed
in the log, rewrite what it touched), report `reads` and `reports`, shared `sql` helpers."""
