"""What a .tflite file is and what it costs: parse, ops, layers and MACs, the tensor arena for a
target, and TFLite Micro's Python runtime (the inference oracle)."""
