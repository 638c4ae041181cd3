"""RDS: an Aurora member instance reports its cluster's DB subnet group.

On AWS an instance created into a DB cluster lives in the cluster's DB subnet
group, and DescribeDBInstances shows that group (name, VPC, subnets) under
``DBSubnetGroup`` even though CreateDBInstance did not name one. moto shows no
``DBSubnetGroup`` for such an instance, so ``amazon.aws.rds_instance`` fails on
its second run.
"""

from __future__ import annotations


def apply(options) -> None:
    from moto.rds.models import DBInstanceClustered

    def db_subnet_group(self):
        own = self.__dict__.get("_own_db_subnet_group")
        if own is not None:
            return own
        # The cluster's group as moto's backend holds it (absent for "default" unless created).
        return self.backend.subnet_groups.get(self.cluster.db_subnet_group_name)

    def set_db_subnet_group(self, value):
        # moto's DBInstance assigns the group it was given, if any, at creation.
        self.__dict__["_own_db_subnet_group"] = value

    DBInstanceClustered.db_subnet_group = property(db_subnet_group, set_db_subnet_group)
