"""Stats storage: rollup maintenance (`rollups`), report reads (`reads`), bulk imports."""
