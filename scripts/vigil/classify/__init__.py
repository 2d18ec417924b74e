"""`vigil classify`: files through the project's front-end, TFLM inference and post-processing."""
