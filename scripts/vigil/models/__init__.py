"""The model pipeline: manifest, fetch, convert, inspect, validate, codegen."""
