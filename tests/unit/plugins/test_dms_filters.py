"""DMS table-mapping filters: built mappings are valid; bad mappings are explained."""

from __future__ import annotations

import json

import pytest

from ansible_collections.envmigrate.aws.plugins.filter.dms import dms_table_mapping_problems, dms_table_mappings


def test_whole_schemas():
    mappings = dms_table_mappings(["public", "billing"])
    assert [r["object-locator"] for r in mappings["rules"]] == [
        {"schema-name": "public", "table-name": "%"},
        {"schema-name": "billing", "table-name": "%"},
    ]
    assert [r["rule-id"] for r in mappings["rules"]] == ["1", "2"]
    assert dms_table_mapping_problems(mappings) == []


def test_named_tables_default_to_the_first_schema():
    mappings = dms_table_mappings(["public"], ["orders", "billing.invoices"])
    assert [(r["object-locator"]["schema-name"], r["object-locator"]["table-name"]) for r in mappings["rules"]] == [
        ("public", "orders"),
        ("billing", "invoices"),
    ]
    assert all(r["rule-action"] == "include" for r in mappings["rules"])


@pytest.mark.parametrize(
    ("mappings", "message"),
    [
        ({}, "non-empty 'rules' list"),
        ({"rules": []}, "non-empty 'rules' list"),
        ({"rules": [{"rule-type": "selectoin"}]}, "rule-type 'selectoin'"),
        ({"rules": [{"rule-type": "selection", "rule-action": "copy", "object-locator": {}}]}, "rule-action 'copy'"),
        ({"rules": [{"rule-type": "selection", "rule-action": "include"}]}, "object-locator"),
        ("{not json", "not valid JSON"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_bad_mappings_are_explained(mappings, message):
    assert any(message in problem for problem in dms_table_mapping_problems(mappings))


def test_json_text_is_accepted():
    assert dms_table_mapping_problems(json.dumps(dms_table_mappings(["public"]))) == []


def test_table_row_lines_up():
    from ansible_collections.envmigrate.aws.plugins.filter.dms import dms_table_row

    row = dms_table_row(
        {
            "schema_name": "public",
            "table_name": "orders",
            "full_load_rows": 1200,
            "inserts": 3,
            "updates": 2,
            "deletes": 1,
            "table_state": "Table completed",
            "validation_state": "Validated",
        }
    )
    assert row.split() == ["public.orders", "1200", "3", "2", "1", "Table", "completed", "Validated"]
    assert row.index("1200") == 40 + 1 + 12 - 4
