"""Sample sets Vigil generates itself: synthetic speech and bundled photographs."""
