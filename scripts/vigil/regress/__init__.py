"""Sample-based regression: suites, generated data, goldens from the reference chain, targets
(host, QEMU, native_sim, serial), verdicts and reports."""
