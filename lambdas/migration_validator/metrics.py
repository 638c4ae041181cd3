"""CloudWatch metrics of a finished run: namespace METRIC_NAMESPACE, dimension Environment=<suffix>.

TablesValidated  tables compared to the end (match or mismatch; not those that could not be compared)
RowsCompared     rows compared, the larger of the two sides' counts, over all tables
MismatchedRows   missing + extra + changed rows, over all tables
ValidationPassed 1 when the run passed, else 0
"""

from __future__ import annotations

COMPARED = ("match", "mismatch")


def figures(result: dict) -> dict:
    """The metric values of a finished run's result."""
    compared = [table for table in result["tables"].values() if table["status"] in COMPARED]
    return {
        "TablesValidated": len(compared),
        "RowsCompared": sum(max(table["source_rows"], table["target_rows"]) for table in compared),
        "MismatchedRows": sum(table["mismatched_rows"] for table in compared),
        "ValidationPassed": 1 if result["passed"] else 0,
    }


def publish(cloudwatch, namespace: str, environment: str, result: dict) -> None:
    dimensions = [{"Name": "Environment", "Value": environment}]
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Value": float(value), "Unit": "Count"}
            for name, value in figures(result).items()
        ],
    )
