"""Exports of the model in other tools' formats (Parquet; Perfetto)."""
