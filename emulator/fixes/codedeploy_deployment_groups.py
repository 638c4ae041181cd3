"""CodeDeploy: UpdateDeploymentGroup changes a group in place, DeleteDeploymentGroup removes it.

AWS replaces every setting UpdateDeploymentGroup names (service role, ECS
services, load balancer info, blue/green and rollback configuration, ...),
keeps the rest, and renames the group with ``newDeploymentGroupName``; an
unknown application or group is ``ApplicationDoesNotExist`` /
``DeploymentGroupDoesNotExist``, a taken name ``DeploymentGroupAlreadyExists``.
DeleteDeploymentGroup succeeds for a group that does not exist (AWS lists no
"does not exist" error for it). Both answer ``hooksNotCleanedUp``. moto answers
HTTP 500 for both, so a changed group can only be replaced.
"""

from __future__ import annotations

NOT_SETTINGS = {"applicationName", "currentDeploymentGroupName", "newDeploymentGroupName"}


def apply(options) -> None:
    from moto.codedeploy.exceptions import DeploymentGroupAlreadyExistsException, DeploymentGroupNameRequiredException
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.responses import ActionResult
    from moto.core.utils import camelcase_to_underscores

    def update_deployment_group(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        old, new = self._get_param("currentDeploymentGroupName"), self._get_param("newDeploymentGroupName")
        group = backend.get_deployment_group(app_name, old)  # ApplicationDoesNotExist / DeploymentGroupDoesNotExist
        groups = backend.deployment_groups[app_name]
        if new and new != old and new in groups:
            raise DeploymentGroupAlreadyExistsException(f"Deployment group {new} already exists.")
        for name, value in self._get_params().items():
            if name not in NOT_SETTINGS and value is not None:
                setattr(group, camelcase_to_underscores(name), value)
        if new and new != old:
            groups[new] = groups.pop(old)
            group.deployment_group_name = new
            old_arn, new_arn = (
                backend._deployment_group_arn(app_name, old),
                backend._deployment_group_arn(app_name, new),
            )
            backend.tagger.tag_resource(new_arn, backend.tagger.list_tags_for_resource(old_arn)["Tags"])
            backend.tagger.delete_all_tags_for_resource(old_arn)
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_deployment_group(self):
        backend = self.codedeploy_backend
        app_name, name = self._get_param("applicationName"), self._get_param("deploymentGroupName")
        if not name:
            raise DeploymentGroupNameRequiredException("The deployment group name was not specified.")
        if backend.deployment_groups.get(app_name, {}).pop(name, None) is not None:
            backend.tagger.delete_all_tags_for_resource(backend._deployment_group_arn(app_name, name))
        return ActionResult({"hooksNotCleanedUp": []})

    CodeDeployResponse.update_deployment_group = update_deployment_group
    CodeDeployResponse.delete_deployment_group = delete_deployment_group
