"""Representing the rows of a list: what DRF does for each row, without walking again through
the serializer's fields to find the readable ones."""

from functools import cached_property


class ListedFields:
    """For a serializer that represents the rows of a list. DRF finds the readable fields through a
    generator on every row (a page of 50 rows of 20 fields walks it a thousand times); these are
    listed once, when the serializer first represents a row. Its fields do not change after that."""

    @cached_property
    def _readable_fields(self) -> list:
        return [field for field in self.fields.values() if not field.write_only]
