"""Running the program without a cloud: the mock harness, the offline plan, the benchmark."""
