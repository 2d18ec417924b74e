"""`vigil release`: the models pipeline, the regression suites, the firmware images and their
budgets, and the release gates over them, in one report (release.json, .md, .html) and one exit code."""
