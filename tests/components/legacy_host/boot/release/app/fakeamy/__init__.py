"""A stand-in for AMY: answers /version/, migrates a table in PostgreSQL, and runs RQ where the release has it."""
