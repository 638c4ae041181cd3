"""ECS: UpdateClusterSettings changes a cluster's settings (Container Insights).

AWS sets the named cluster settings (``containerInsights`` is the only one:
``enabled``, ``enhanced`` or ``disabled``) and keeps the others, answering the
cluster; an unknown or deleted (INACTIVE) cluster is ClusterNotFoundException
and another value InvalidParameterException. moto 5.2.5 lacks the operation
and answers HTTP 500 (it only takes settings through CreateCluster and
UpdateCluster).
"""

from __future__ import annotations

SETTING_VALUES = {"containerInsights": ("enabled", "enhanced", "disabled")}


def apply(options) -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.exceptions import ClusterNotFoundException, InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse

    def update_cluster_settings(self):
        cluster = self.ecs_backend._get_cluster(self._get_param("cluster"))
        if cluster.status == "INACTIVE":
            raise ClusterNotFoundException()
        settings = self._get_param("settings") or []
        for setting in settings:
            name, value = setting.get("name"), setting.get("value")
            if value not in SETTING_VALUES.get(name, (value,)):
                raise InvalidParameterException(
                    f"Invalid value for {name}. Valid values are: {', '.join(SETTING_VALUES[name])}."
                )
        merged = {setting["name"]: setting["value"] for setting in cluster.settings or []}
        merged.update((setting["name"], setting["value"]) for setting in settings)
        cluster.settings = [{"name": name, "value": value} for name, value in merged.items()]
        return ActionResult({"cluster": cluster})

    EC2ContainerServiceResponse.update_cluster_settings = update_cluster_settings
