"""Settings modules: `base` (everything, from the environment), `local` (a fresh clone with no
servers), `test` (the test suite) and `production` (no defaults for secrets)."""
