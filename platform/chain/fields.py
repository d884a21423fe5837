"""Model fields for chain quantities."""

from django.db import models


class WeiField(models.CharField):
    """An unsigned integer of up to 78 digits (a uint256), stored as text. DecimalField would do on
    PostgreSQL, but Django's SQLite backend reads decimals with 15 significant digits: 10**15 + 1
    wei would come back as 10**15."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 78)
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else int(value)

    def to_python(self, value):
        return None if value is None else int(value)

    def get_prep_value(self, value):
        return None if value is None else str(int(value))
