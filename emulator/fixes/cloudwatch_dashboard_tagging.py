"""CloudWatch: dashboards can be tagged like alarms.

AWS accepts a dashboard's ARN (``arn:aws:cloudwatch::<account>:dashboard/<name>``, no
region) in TagResource, UntagResource and ListTagsForResource, answering
ResourceNotFoundException when no such dashboard exists; PutDashboard applies its
``Tags`` when it creates the dashboard (not when it replaces one); DeleteDashboards
takes the tags with it. moto 5.2.5 tags alarms only: TagResource answers
ResourceNotFoundException for a dashboard, UntagResource only finds ARNs tagged
before, PutDashboard ignores ``Tags`` and the tags outlive the dashboard.

Alarm and insight-rule ARNs still go through moto's own code.
"""

from __future__ import annotations


def apply(options) -> None:
    from moto.cloudwatch.exceptions import ResourceNotFoundException
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.cloudwatch.responses import CloudWatchResponse

    original_tag_resource = CloudWatchBackend.tag_resource
    original_untag_resource = CloudWatchBackend.untag_resource
    original_list_tags_for_resource = CloudWatchBackend.list_tags_for_resource
    original_delete_dashboards = CloudWatchBackend.delete_dashboards
    original_put_dashboard = CloudWatchResponse.put_dashboard

    def is_dashboard_arn(arn: str) -> bool:
        return ":dashboard/" in (arn or "")

    def existing_dashboard_arn(backend, arn: str) -> str:
        """The ARN when it names a dashboard of this backend, else ResourceNotFoundException as on AWS."""
        if not any(dashboard.arn == arn for dashboard in backend.dashboards.values()):
            raise ResourceNotFoundException()
        return arn

    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        if not is_dashboard_arn(arn):
            return original_tag_resource(self, arn, tags)
        existing = existing_dashboard_arn(self, arn)
        self.tagger.tag_resource(existing, self.tagger.convert_dict_to_tags_input(tags))

    def untag_resource(self, arn: str, tag_keys: list[str]) -> None:
        if not is_dashboard_arn(arn):
            return original_untag_resource(self, arn, tag_keys)
        # Unlike moto's alarm path, an untagged dashboard is found: it exists.
        self.tagger.untag_resource_using_names(existing_dashboard_arn(self, arn), tag_keys)

    def list_tags_for_resource(self, arn: str) -> dict[str, str]:
        if not is_dashboard_arn(arn):
            return original_list_tags_for_resource(self, arn)
        return self.tagger.get_tag_dict_for_resource(existing_dashboard_arn(self, arn))

    def delete_dashboards(self, dashboards: list[str]) -> str | None:
        # Remember the ARNs first: moto deletes all named dashboards or none (answering an error text).
        arns = [self.dashboards[name].arn for name in dashboards if name in self.dashboards]
        error = original_delete_dashboards(self, dashboards)
        if error is None:
            for arn in arns:
                self.tagger.delete_all_tags_for_resource(arn)
        return error

    def put_dashboard(self):
        name = self._get_param("DashboardName")
        is_new = name not in self.cloudwatch_backend.dashboards
        result = original_put_dashboard(self)
        tags = self._get_param("Tags") or []
        if is_new and tags:
            arn = self.cloudwatch_backend.dashboards[name].arn
            self.cloudwatch_backend.tagger.tag_resource(arn, tags)
        return result

    CloudWatchBackend.tag_resource = tag_resource
    CloudWatchBackend.untag_resource = untag_resource
    CloudWatchBackend.list_tags_for_resource = list_tags_for_resource
    CloudWatchBackend.delete_dashboards = delete_dashboards
    CloudWatchResponse.put_dashboard = put_dashboard
