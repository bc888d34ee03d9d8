"""Exports of a trace to other tools' file formats: Perfetto's protobuf trace, Chrome JSON, Parquet tables."""
