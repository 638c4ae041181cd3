# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that build and check DMS table mappings, so a bad mapping stops a run before any change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.envmigrate.aws.plugins.module_utils.dms import table_mapping_problems


def dms_table_mappings(schemas, tables=None):
    """One include rule per table ("schema.table", or "table" in the first schema), else per schema."""
    schemas = list(schemas or [])
    if tables:
        selected = [t.split(".", 1) if "." in t else [schemas[0], t] for t in tables]
    else:
        selected = [[schema, "%"] for schema in schemas]
    rules = [
        {
            "rule-type": "selection",
            "rule-id": str(number),
            "rule-name": "include-%s-%s" % (schema, table.replace("%", "all")),
            "object-locator": {"schema-name": schema, "table-name": table},
            "rule-action": "include",
        }
        for number, (schema, table) in enumerate(selected, start=1)
    ]
    return {"rules": rules}


def dms_table_mapping_problems(mappings):
    """Why DMS would refuse these table mappings (a dict or its JSON text); [] when valid."""
    if isinstance(mappings, str):
        try:
            mappings = json.loads(mappings)
        except ValueError as e:
            return ["table mappings are not valid JSON: %s" % e]
    if not isinstance(mappings, dict):
        return ["table mappings must be a JSON object with a 'rules' list"]
    return table_mapping_problems(mappings)


def dms_table_row(statistics):
    """One line of the migration status table for one table's statistics (snake_case)."""
    name = "%s.%s" % (statistics.get("schema_name", "?"), statistics.get("table_name", "?"))
    return "%-40s %12s %9s %9s %9s  %-22s %s" % (
        name,
        statistics.get("full_load_rows", 0),
        statistics.get("inserts", 0),
        statistics.get("updates", 0),
        statistics.get("deletes", 0),
        statistics.get("table_state", ""),
        statistics.get("validation_state", ""),
    )


class FilterModule(object):
    def filters(self):
        return {
            "dms_table_mappings": dms_table_mappings,
            "dms_table_mapping_problems": dms_table_mapping_problems,
            "dms_table_row": dms_table_row,
        }
