"""Pure warehouse rules: no IO, no frameworks; standard library and biip only."""
