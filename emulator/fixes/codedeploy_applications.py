"""CodeDeploy: UpdateApplication renames an application, DeleteApplication removes it.

AWS renames an application with everything that hangs off it (deployment
groups, tags), refusing an unknown application (``ApplicationDoesNotExist``) or
a taken name (``ApplicationAlreadyExists``). DeleteApplication removes the
application and its deployment groups; like AWS it succeeds for a name that does
not exist, so a teardown can be rerun. moto answers HTTP 500 for both.
"""

from __future__ import annotations


def _move_tags(tagger, old_arn: str, new_arn: str) -> None:
    tagger.tag_resource(new_arn, tagger.list_tags_for_resource(old_arn)["Tags"])
    tagger.delete_all_tags_for_resource(old_arn)


def apply(options) -> None:
    from moto.codedeploy.exceptions import ApplicationAlreadyExistsException, ApplicationNameRequiredException
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.responses import EmptyResult

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

    CodeDeployResponse.update_application = update_application
    CodeDeployResponse.delete_application = delete_application
