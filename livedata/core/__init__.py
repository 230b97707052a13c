"""The processing core: values, batching, jobs and the processor; no Kafka, no UI."""
