"""Evaluation of the assistant: question sets, metrics, reports, public benchmarks."""
