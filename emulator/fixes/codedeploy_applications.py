"""CodeDeploy: applications as AWS creates, describes, tags, renames and deletes them.

AWS renames an application with everything that hangs off it (deployment
groups, tags), refusing an unknown application (``ApplicationDoesNotExist``) or
a taken name (``ApplicationAlreadyExists``). DeleteApplication removes the
application and its deployment groups; like AWS it succeeds for a name that does
not exist, so a teardown can be rerun. moto answers HTTP 500 for both.

CreateApplication without ``computePlatform`` makes a ``Server`` application and
refuses a platform other than ``Server``, ``Lambda`` or ``ECS``
(``InvalidComputePlatformException``); moto keeps no platform, or any string.
GetApplication and BatchGetApplications answer ``linkedToGitHub`` (false until
a GitHub connection is made in the console), which moto leaves out.
TagResource and UntagResource refuse the ARN of an application or deployment
group that does not exist (``ApplicationDoesNotExist`` /
``DeploymentGroupDoesNotExist``); moto tags it anyway, and a later application
of that name would inherit the tags.
"""

from __future__ import annotations

import functools

COMPUTE_PLATFORMS = ("Server", "Lambda", "ECS")


def _move_tags(tagger, old_arn: str, new_arn: str) -> None:
    tagger.tag_resource(new_arn, tagger.list_tags_for_resource(old_arn)["Tags"])
    tagger.delete_all_tags_for_resource(old_arn)


def _check_resource_exists(backend, arn: str) -> None:
    """ApplicationDoesNotExist / DeploymentGroupDoesNotExist for the ARN of a missing application or group."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    kind, _, name = resource.partition(":")
    if kind == "application":
        backend.get_application(name)
    elif kind == "deploymentgroup":
        application_name, _, group_name = name.partition("/")
        backend.get_deployment_group(application_name, group_name)


def apply(options) -> None:
    from moto.codedeploy import responses
    from moto.codedeploy.exceptions import (
        ApplicationAlreadyExistsException,
        ApplicationNameRequiredException,
        CodeDeployException,
    )
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.responses import ActionResult, EmptyResult

    class InvalidComputePlatformException(CodeDeployException):
        code = 400

        def __init__(self, message: str):
            super().__init__("InvalidComputePlatformException", message)

    def create_application(self):
        platform = self._get_param("computePlatform") or "Server"
        if platform not in COMPUTE_PLATFORMS:
            raise InvalidComputePlatformException(
                "The computePlatform is invalid. The computePlatform should be Lambda, Server, or ECS."
            )
        application_id = self.codedeploy_backend.create_application(
            application_name=self._get_param("applicationName"),
            compute_platform=platform,
            tags=self._get_param("tags"),
        )
        return ActionResult({"applicationId": application_id})

    application_info = responses._application_info

    @functools.wraps(application_info)
    def application_info_with_git_hub(application):
        return {**application_info(application), "linkedToGitHub": False}

    def checked(operation):
        @functools.wraps(operation)
        def operation_on_existing_resource(self):
            _check_resource_exists(self.codedeploy_backend, self._get_param("ResourceArn") or "")
            return operation(self)

        return operation_on_existing_resource

    def update_application(self):
        backend = self.codedeploy_backend
        old, new = self._get_param("applicationName"), self._get_param("newApplicationName")
        application = backend.get_application(old)  # ApplicationDoesNotExistException
        if new and new != old:
            if new in backend.applications:
                raise ApplicationAlreadyExistsException(
                    f"The application {new} already exists with the user or AWS account."
                )
            backend.applications[new] = backend.applications.pop(old)
            application.application_name = new
            groups = backend.deployment_groups.pop(old, {})
            backend.deployment_groups[new] = groups
            _move_tags(backend.tagger, backend._application_arn(old), backend._application_arn(new))
            for name in groups:
                _move_tags(
                    backend.tagger, backend._deployment_group_arn(old, name), backend._deployment_group_arn(new, name)
                )
            for deployment in backend.deployments.values():
                if deployment.application is application:
                    deployment.application_name = new
        return EmptyResult()

    def delete_application(self):
        backend = self.codedeploy_backend
        name = self._get_param("applicationName")
        if not name:
            raise ApplicationNameRequiredException(
                "The minimum number of required application names was not specified."
            )
        if backend.applications.pop(name, None) is not None:
            for group_name in backend.deployment_groups.pop(name, {}):
                backend.tagger.delete_all_tags_for_resource(backend._deployment_group_arn(name, group_name))
            backend.tagger.delete_all_tags_for_resource(backend._application_arn(name))
        return EmptyResult()

    CodeDeployResponse.create_application = create_application
    # GetApplication and BatchGetApplications build their answer with this function of the module.
    responses._application_info = application_info_with_git_hub
    CodeDeployResponse.tag_resource = checked(CodeDeployResponse.tag_resource)
    CodeDeployResponse.untag_resource = checked(CodeDeployResponse.untag_resource)
    CodeDeployResponse.update_application = update_application
    CodeDeployResponse.delete_application = delete_application
