import pytest

from meshscope.api.sql import wrap
from meshscope.errors import BadData
from meshscope.storage.sql import ident, quote, quote_list


def test_quote_escapes() -> None:
    assert quote("a'b\\c\n") == "'a\\'b\\\\c\\n'"
    assert quote_list(["x", "y'"]) == "('x', 'y\\'')"
    assert quote_list([]) == "('')"
    assert ident("we`ird") == "`we\\`ird`"


def test_sql_api_wraps_one_statement() -> None:
    assert wrap("SELECT 1;", 5) == "SELECT * FROM (SELECT 1) LIMIT 5"
    with pytest.raises(BadData):
        wrap("SELECT 1; DROP TABLE x", 5)
    with pytest.raises(BadData):
        wrap("  ", 5)
