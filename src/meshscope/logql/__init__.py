"""LogQL: Loki's query language over the ``logs`` table.

Syntax (no storage imports): :mod:`.lexer`, :mod:`.cursor`, :mod:`.parse_log`, :mod:`.parser`,
:mod:`.ast`, :mod:`.metric_ast`, :mod:`.template`, :mod:`.pattern`. Execution: :mod:`.sqlgen`,
:mod:`.label_sql` and :mod:`.prefilter` build SQL; :mod:`.pipeline` runs the stages SQL cannot;
:mod:`.logs_eval`, :mod:`.range_eval`, :mod:`.aggregation`, :mod:`.binary` evaluate;
:mod:`.engine` is the entry point the Loki API calls.
"""
